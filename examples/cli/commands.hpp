#ifndef LKWEBHOOK_EXAMPLES_CLI_COMMANDS_HPP
#define LKWEBHOOK_EXAMPLES_CLI_COMMANDS_HPP

// Subcommands of the `lkwebhook` tool. Each takes its own argv (argv[0] is
// the subcommand name) and returns the process exit code: 0 success,
// 1 rejected or failed, 2 usage error. Output goes to std::cout / std::cerr.

namespace lkwebhook::cli {

int verify_command(int argc, char** argv);  // verify_command.cpp
int sign_command(int argc, char** argv);    // sign_command.cpp (when built)
int send_command(int argc, char** argv);    // send_command.cpp (when built)
int queue_command(int argc, char** argv);   // queue_command.cpp (when built: needs hiredis)

}  // namespace lkwebhook::cli

#endif
