/* A perfectly good shared library that is not a plexmix plugin. */
__attribute__((visibility("default"))) int not_a_plugin_answer(void) { return 42; }
