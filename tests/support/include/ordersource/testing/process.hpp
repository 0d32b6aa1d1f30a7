#pragma once
// A service started as a real child process for end-to-end tests: its own environment on top
// of the test's, stdout and stderr into a log file, stopped with SIGTERM (or killed) on demand
// and always on destruction, so a failing test leaves nothing running.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ordersource::testing {

class ChildProcess {
  public:
    ChildProcess(std::string executable,
                 const std::map<std::string, std::string>& extra_environment,
                 std::string log_path,
                 std::vector<std::string> arguments = {})
        : executable_(std::move(executable)), log_path_(std::move(log_path)) {
        std::map<std::string, std::string> environment;
        for (char** entry = environ; *entry != nullptr; ++entry) {
            const std::string text(*entry);
            const auto equals = text.find('=');
            if (equals != std::string::npos)
                environment[text.substr(0, equals)] = text.substr(equals + 1);
        }
        for (const auto& [name, value] : extra_environment) environment[name] = value;
        std::vector<std::string> entries;
        for (const auto& [name, value] : environment) entries.push_back(name + "=" + value);
        std::vector<char*> envp;
        for (auto& entry : entries) envp.push_back(entry.data());
        envp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        std::vector<char*> argv{executable_.data()};
        for (auto& argument : arguments) argv.push_back(argument.data());
        argv.push_back(nullptr);
        const int error =
            posix_spawn(&pid_, executable_.c_str(), &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0) throw std::runtime_error("cannot start " + executable_);
    }
    ~ChildProcess() {
        if (running()) {
            stop(SIGKILL, std::chrono::seconds(10));
        }
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool running() {
        if (exit_status_) return false;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_status_ = status;
            return false;
        }
        return true;
    }

    // Sends `signal` and waits for the exit; returns the raw wait status (nullopt: still
    // running at the deadline, after which it is killed).
    std::optional<int> stop(int signal, std::chrono::milliseconds timeout) {
        if (!running()) return exit_status_;
        ::kill(pid_, signal);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!running()) return exit_status_;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        exit_status_ = status;
        return std::nullopt;
    }

    // The last `lines` lines of the log, for failure messages.
    std::string log_tail(std::size_t lines = 30) const {
        std::ifstream in(log_path_);
        std::vector<std::string> all;
        for (std::string line; std::getline(in, line);) all.push_back(line);
        std::ostringstream tail;
        for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
            tail << all[i] << "\n";
        }
        return tail.str();
    }

    const std::string& log_path() const { return log_path_; }
    pid_t pid() const { return pid_; }

  private:
    std::string executable_;
    std::string log_path_;
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
};

// A port nothing listens on right now, for a child to bind. Chosen below the kernel's
// ephemeral range (32768+): a client polling a not-yet-listening ephemeral port can connect
// to itself (TCP simultaneous open) and then hold the port the service wants. Never the same
// port twice in one process: a cluster picks all its ports before any service binds one, and
// a repeat would make two services share one - the second fails to bind while the first
// answers its health checks (an e2e run failed that way once; a repeat is one explanation).
inline std::uint16_t free_port() {
    static std::mt19937 generator{std::random_device{}()};
    static std::set<std::uint16_t> handed_out;
    std::uniform_int_distribution<int> candidates(20000, 32000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const auto port = static_cast<std::uint16_t>(candidates(generator));
        if (handed_out.contains(port)) continue;
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) break;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
        const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
        ::close(fd);
        if (bound) {
            handed_out.insert(port);
            return port;
        }
    }
    throw std::runtime_error("cannot find a free port");
}

}  // namespace ordersource::testing
