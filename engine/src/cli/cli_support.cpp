// Shared pieces of the CLI commands.
#include "cli/cli_support.hpp"

#include <algorithm>
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

po::variables_map parse_args(const Args& args, const po::options_description& options,
                             const po::positional_options_description& positional, const std::string& usage,
                             bool* help) {
    po::options_description all;
    all.add(options);
    all.add_options()("help,h", "show this help");
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

int dispatch(std::string_view group, const GlobalOptions& global, const Args& args,
             const std::vector<Subcommand>& subcommands) {
    std::vector<std::string> synopses;
    for (const auto& s : subcommands) synopses.push_back(s.synopsis);
    const std::string usage = "usage: plexmix " + std::string(group) + " " + join(synopses, " | ");
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        (args.empty() ? std::cerr : std::cout) << usage << "\n";
        return args.empty() ? kExitUsage : kExitOk;
    }
    const Args rest(args.begin() + 1, args.end());
    for (const auto& s : subcommands) {
        if (args[0] == s.name) return s.run(global, rest);
    }
    throw UsageError("'" + std::string(group) + " " + args[0] + "' is not a command; " + usage);
}

void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (size_t i = 0; i < cells.size(); ++i) {
            text += cells[i];
            if (i + 1 < cells.size()) text += std::string(width[i] - cells[i].size() + 2, ' ');
        }
        out << text << "\n";
    };
    line(header);
    for (const auto& row : rows) line(row);
}

}  // namespace pmx::cli
