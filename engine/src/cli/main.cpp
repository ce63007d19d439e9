// plexmix: the thin CLI host over the engine library.
int main() { return 0; }
