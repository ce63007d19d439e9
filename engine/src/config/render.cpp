// Rendering the effective configuration for `config show`, secrets masked.
#include "config/render.hpp"

#include <algorithm>
#include <cstdio>

#include <yaml-cpp/yaml.h>

#include "config/provider_settings.hpp"
#include "config/values.hpp"
#include "generate/pipeline_config.hpp"
#include "util/redact.hpp"

namespace pmx {
namespace {

constexpr int kIndent = 2;

std::string env_comment(const std::vector<std::string>& vars) {
    std::string text = "from";
    for (const auto& var : vars) text += " $" + var;
    return text;
}

void emit_policy(YAML::Emitter& out, const CallPolicy& policy) {
    out << YAML::Key << "timeout" << YAML::Value << format_duration(policy.timeout);
    out << YAML::Key << "connect_timeout" << YAML::Value << format_duration(policy.connect_timeout);
    out << YAML::Key << "deadline" << YAML::Value << format_duration(policy.deadline);
    out << YAML::Key << "retries" << YAML::Value << policy.retries;
    out << YAML::Key << "concurrency" << YAML::Value << policy.concurrency;
    out << YAML::Key << "rpm" << YAML::Value << policy.rpm;
}

void emit_provider(YAML::Emitter& out, const ProviderConfig& provider, const SecretLookup& is_secret,
                   const SpecLookup& specs) {
    const std::vector<SettingSpec>* declared = specs ? specs(provider) : nullptr;
    const auto declared_secret = [&](std::string_view key) {
        if (is_secret && is_secret(provider, key)) return true;
        if (declared == nullptr) return false;
        const auto it = std::find_if(declared->begin(), declared->end(),
                                     [&](const SettingSpec& s) { return s.key == key; });
        return it != declared->end() && it->secret;
    };

    out << YAML::Key << provider.name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "plugin" << YAML::Value << provider.plugin;
    emit_policy(out, provider.policy);
    // As written (0.15), not as the nearest double prints (0.14999999999999999).
    const auto price = [](double usd) {
        char text[32];
        std::snprintf(text, sizeof text, "%.10g", usd);
        return std::string(text);
    };
    if (provider.price_in) out << YAML::Key << "price_in" << YAML::Value << price(*provider.price_in);
    if (provider.price_out) out << YAML::Key << "price_out" << YAML::Value << price(*provider.price_out);
    for (const auto& setting : provider.settings) {
        const bool secret = is_secret_setting(setting, declared_secret(setting.key));
        out << YAML::Key << setting.key << YAML::Value;
        if (secret) {
            out << std::string(kRedacted);
        } else {
            // Not secret by any rule we know; redact() still masks registered values and
            // credential-shaped text such as a token inside a URL.
            out << redact(setting.value);
        }
        if (setting.from_env_var) out << YAML::Comment(env_comment(setting.env_vars));
    }
    if (declared != nullptr) {
        for (const auto& spec : *declared) {
            if (provider.find_setting(spec.key) != nullptr || !spec.default_value) continue;
            const bool secret = spec.secret || declared_secret(spec.key) || looks_like_credential_key(spec.key);
            out << YAML::Key << spec.key << YAML::Value
                << (secret ? std::string(kRedacted) : redact(*spec.default_value)) << YAML::Comment("default");
        }
    }
    out << YAML::EndMap;
}

void emit_ref_list(YAML::Emitter& out, const std::vector<ProviderRef>& refs) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& ref : refs) out << ref.name;
    out << YAML::EndSeq;
}

void emit_pipeline(YAML::Emitter& out, const Pipeline& pipeline) {
    out << YAML::Key << pipeline.name << YAML::Value << YAML::BeginSeq;
    for (const auto& step : pipeline.steps) {
        if (step.options.empty()) {
            out << step.name;
            continue;
        }
        out << YAML::BeginMap << YAML::Key << step.name << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (const auto& option : step.options) {
            out << YAML::Key << option.key << YAML::Value << redact(option.value);
        }
        out << YAML::EndMap << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

}  // namespace

std::string render_config(const Config& config, const SecretLookup& is_secret, const SpecLookup& specs) {
    YAML::Emitter out;
    out.SetIndent(kIndent);
    const std::string source = config.source.empty() ? std::string("built-in defaults") : config.source.string();
    out << YAML::Comment("effective configuration (" + source + "); secrets shown as ***");
    out << YAML::BeginMap;
    out << YAML::Key << "data_dir" << YAML::Value << redact(config.data_dir.string());

    out << YAML::Key << "log" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "level" << YAML::Value << std::string(to_string(config.log.level));
    out << YAML::Key << "file" << YAML::Value << config.log.file;
    out << YAML::EndMap;

    out << YAML::Key << "providers" << YAML::Value << YAML::BeginMap;
    for (const auto& provider : config.providers) emit_provider(out, provider, is_secret, specs);
    out << YAML::EndMap;

    out << YAML::Key << "use" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "media" << YAML::Value;
    emit_ref_list(out, config.use.media);
    if (config.use.embedder) out << YAML::Key << "embedder" << YAML::Value << config.use.embedder->name;
    if (config.use.completer) out << YAML::Key << "completer" << YAML::Value << config.use.completer->name;
    out << YAML::EndMap;

    // Every pipeline as it runs: the configured ones, and the built-in default of the others.
    out << YAML::Key << "pipelines" << YAML::Value << YAML::BeginMap;
    for (const std::string& name : gen::pipeline_names()) {
        if (const Pipeline* pipeline = config.find_pipeline(name)) {
            emit_pipeline(out, *pipeline);
            continue;
        }
        out << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const std::string& step : gen::default_steps(name)) out << step;
        out << YAML::EndSeq << YAML::Comment("default");
    }
    out << YAML::EndMap;
    out << YAML::EndMap;

    std::string text = out.c_str();
    text += '\n';
    return text;
}

}  // namespace pmx
