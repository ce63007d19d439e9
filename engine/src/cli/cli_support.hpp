// Shared pieces of the CLI commands: errors, option parsing, tables, JSON output.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>

#include "cli/commands.hpp"

#define PMX_VERSION_STRING (::pmx::cli::version_string())

namespace pmx::cli {

// A wrong command line: printed with "plexmix:" and exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

const char* version_string();

// Sets up logging for a command from -v/-q (the config may refine it later).
void init_cli_logging(const GlobalOptions& options);

// Runs a command, turning exceptions into messages and exit codes: UsageError and ConfigError
// → 2, cancellation (Ctrl+C) → 130, anything else → 1.
int run_guarded(int (*run)(const GlobalOptions&, const Args&), const GlobalOptions& options, const Args& args);

// Parses a subcommand's words. `--help` prints usage (the caller returns) and sets *help.
boost::program_options::variables_map parse_args(const Args& args,
                                                 const boost::program_options::options_description& options,
                                                 const boost::program_options::positional_options_description& positional,
                                                 const std::string& usage, bool* help);

// For a command whose free words (a prompt, a query) are one hidden positional option named
// `words_name`: returns them joined by single spaces in *words. `--help` (anywhere before
// "--", even among words that would not parse) prints usage with `options` only, sets *help,
// and the caller returns.
boost::program_options::variables_map parse_words_args(const Args& args,
                                                       const boost::program_options::options_description& options,
                                                       const std::string& words_name, const std::string& usage,
                                                       bool* help, std::string* words);

// One word of a command group (`plugins list`), its synopsis for the usage line, and its code.
struct Subcommand {
    const char* name;
    const char* synopsis;  // e.g. "list [--json]"
    int (*run)(const GlobalOptions&, const Args&);
};

// Runs the subcommand named by args[0]; no word prints the usage, one subcommand synopsis a
// line, on stderr (exit 2), --help prints it on stdout (exit 0), an unknown word is a
// UsageError.
int dispatch(std::string_view group, const GlobalOptions& global, const Args& args,
             const std::vector<Subcommand>& subcommands);

// A plain text table: columns padded to their widest cell (in terminal columns). With
// `max_columns`, a last column that would go past it is wrapped at spaces, its further lines
// starting under it (when the other columns leave it room).
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, size_t max_columns = 0);

// "12.3 s": a step's duration as the commands print it.
std::string seconds_text(std::chrono::milliseconds ms);

// How wide the output may be: $COLUMNS when set, else the terminal's width when stdout is
// one; 0 (no limit) when output goes to a file or a pipe.
size_t output_columns();

// A point in time typed by the user: unix seconds, or YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or
// "YYYY-MM-DD HH:MM[:SS]" in local time. nullopt when it is none of these.
std::optional<int64_t> parse_time_point(std::string_view text);

}  // namespace pmx::cli
