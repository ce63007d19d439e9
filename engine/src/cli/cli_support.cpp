// Shared pieces of the CLI commands.
#include "cli/cli_support.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/errors.hpp>

#include "config/config.hpp"
#include "net/cancel.hpp"
#include "util/log.hpp"
#include "util/redact.hpp"
#include "util/text.hpp"

namespace po = boost::program_options;

namespace pmx::cli {

const char* version_string() { return PMX_VERSION; }

void init_cli_logging(const GlobalOptions& options) {
    LoggingOptions logging;
    logging.verbosity = options.verbosity;
    init_logging(logging);
}

int run_guarded(int (*run)(const GlobalOptions&, const Args&), const GlobalOptions& options, const Args& args) {
    int code = kExitFailure;
    try {
        code = run(options, args);
    } catch (const UsageError& e) {
        std::cerr << "plexmix: " << redact(e.what()) << "\n";
        code = kExitUsage;
    } catch (const po::error& e) {
        std::cerr << "plexmix: " << e.what() << "\n";
        code = kExitUsage;
    } catch (const ConfigError& e) {
        std::cerr << redact(e.what()) << "\n";
        code = kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "plexmix: " << redact(e.what()) << "\n";
        code = kExitFailure;
    }
    if (global_cancel().cancelled()) {
        std::cerr << "plexmix: interrupted\n";
        return kExitInterrupted;
    }
    return code;
}

namespace {

// A command's options and --help, under one heading, for parsing and for its help text.
po::options_description with_help(const po::options_description& options) {
    po::options_description shown("Options");
    for (const auto& option : options.options()) shown.add(option);
    shown.add_options()("help,h", "show this help");
    return shown;
}

}  // namespace

po::variables_map parse_args(const Args& args, const po::options_description& options,
                             const po::positional_options_description& positional, const std::string& usage,
                             bool* help) {
    const po::options_description all = with_help(options);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    *help = vm.count("help") > 0;
    if (*help) {
        std::cout << "usage: " << usage << "\n\n" << all << "\n";
        return vm;
    }
    po::notify(vm);
    return vm;
}

po::variables_map parse_words_args(const Args& args, const po::options_description& options,
                                   const std::string& words_name, const std::string& usage, bool* help,
                                   std::string* words) {
    const po::options_description shown = with_help(options);
    *help = false;
    for (const auto& word : args) {
        if (word == "--") break;
        if (word == "--help" || word == "-h") {
            std::cout << "usage: " << usage << "\n\n" << shown << "\n";
            *help = true;
            return {};
        }
    }
    po::options_description hidden;
    hidden.add_options()(words_name.c_str(), po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(shown).add(hidden);
    po::positional_options_description positional;
    positional.add(words_name.c_str(), -1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
    *words = vm.count(words_name) ? join(vm[words_name].as<std::vector<std::string>>(), " ") : "";
    return vm;
}

int dispatch(std::string_view group, const GlobalOptions& global, const Args& args,
             const std::vector<Subcommand>& subcommands) {
    const std::string name(group);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::ostream& out = args.empty() ? std::cerr : std::cout;
        out << "usage: plexmix " << name << " <command> [<args>]\n\nCommands:\n";
        for (const auto& s : subcommands) out << "  " << s.synopsis << "\n";
        out << "\nRun 'plexmix " << name << " <command> --help' for a command's options.\n";
        return args.empty() ? kExitUsage : kExitOk;
    }
    const Args rest(args.begin() + 1, args.end());
    for (const auto& s : subcommands) {
        if (args[0] == s.name) return s.run(global, rest);
    }
    std::vector<std::string> names;
    for (const auto& s : subcommands) names.emplace_back(s.name);
    throw UsageError("'" + name + " " + args[0] + "' is not a command; the commands of '" + name +
                     "' are " + join(names, ", ") + " (see 'plexmix " + name + " --help')");
}

namespace {

// Terminal columns a UTF-8 string takes: one per code point, two for East Asian wide and
// full-width ones (CJK, Hangul, kana, full-width forms: the ranges of Unicode's
// EastAsianWidth W/F that music names use), none for combining marks. Invalid bytes count
// one each, as terminals show a replacement character.
size_t display_width(std::string_view text) {
    size_t columns = 0;
    for (size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : (byte >> 3) == 0x1E ? 4 : 1;
        if (length == 1 || i + length > text.size()) {
            ++columns;
            ++i;
            continue;
        }
        uint32_t cp = byte & (0x7F >> length);
        for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        i += length;
        const bool combining = (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
                               (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200D ||
                               (cp >= 0xFE00 && cp <= 0xFE0F);
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                          (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
        columns += combining ? 0 : wide ? 2 : 1;
    }
    return columns;
}

// `text` in lines of at most `width` columns, broken at spaces (a longer word stands alone).
std::vector<std::string> wrap_words(const std::string& text, size_t width) {
    std::vector<std::string> lines;
    std::string line;
    size_t at = 0;
    while (at < text.size()) {
        const size_t end = std::min(text.find(' ', at), text.size());
        const std::string word = text.substr(at, end - at);
        at = end + 1;
        if (word.empty()) continue;
        if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
            lines.push_back(std::move(line));
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
    return lines;
}

}  // namespace

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, size_t max_columns) {
    constexpr size_t kGap = 2;
    constexpr size_t kMinLastColumn = 10;  // narrower than this, long lines read better unwrapped
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < header.size(); ++i) width[i] = display_width(header[i]);
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], display_width(row[i]));
    }
    size_t last_start = 0;  // where the last column begins
    for (size_t i = 0; i + 1 < width.size(); ++i) last_start += width[i] + kGap;
    const bool wrap = max_columns > 0 && max_columns >= last_start + kMinLastColumn;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (size_t i = 0; i < cells.size(); ++i) {
            const bool last = i + 1 == cells.size();
            if (last && wrap && i + 1 == width.size()) {
                const auto pieces = wrap_words(cells[i], max_columns - last_start);
                for (size_t k = 0; k < pieces.size(); ++k) {
                    text += (k ? "\n" + std::string(last_start, ' ') : "") + pieces[k];
                }
                break;
            }
            text += cells[i];
            if (!last && i < width.size()) {
                text += std::string(width[i] - std::min(width[i], display_width(cells[i])) + kGap, ' ');
            }
        }
        out << text << "\n";
    };
    line(header);
    for (const auto& row : rows) line(row);
}

std::string seconds_text(std::chrono::milliseconds ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
    return text;
}

size_t output_columns() {
    if (const char* env = std::getenv("COLUMNS"); env && *env) {
        size_t value = 0;
        const auto [end, ec] = std::from_chars(env, env + std::strlen(env), value);
        if (ec == std::errc() && *end == '\0') return value;
    }
    winsize size{};
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) return size.ws_col;
    return 0;
}

std::optional<int64_t> parse_time_point(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t");
    const size_t last = text.find_last_not_of(" \t");
    const std::string s(first == std::string_view::npos ? std::string_view() : text.substr(first, last - first + 1));
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
        int64_t seconds = 0;
        const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), seconds);
        if (error == std::errc() && end == s.data() + s.size()) return seconds;
        return std::nullopt;
    }
    for (const char* format : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                               "%Y-%m-%d"}) {
        std::tm tm{};
        const char* end = strptime(s.c_str(), format, &tm);
        if (end == nullptr || *end != '\0') continue;
        tm.tm_isdst = -1;
        const std::time_t t = std::mktime(&tm);
        if (t == static_cast<std::time_t>(-1)) return std::nullopt;
        return static_cast<int64_t>(t);
    }
    return std::nullopt;
}

}  // namespace pmx::cli
