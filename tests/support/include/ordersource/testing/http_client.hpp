#pragma once
// A minimal blocking HTTP/1.1 client for tests: one request per connection, reads until the
// server closes. Enough to drive the services over real sockets without a client library.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ordersource::testing {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lowercased
    std::string body;

    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// True once `raw` holds the whole head and as many body bytes as Content-Length says.
inline bool response_complete(const std::string& raw) {
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    std::string head = raw.substr(0, head_end);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto length_at = head.find("\r\ncontent-length:");
    if (length_at == std::string::npos) return false;  // read to EOF
    const std::size_t length = std::stoul(head.substr(length_at + 17));
    return raw.size() >= head_end + 4 + length;
}

inline HttpResponse http_request(
    std::uint16_t port,
    const std::string& method,
    const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& headers = {},
    const std::string& body = "") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    request += body;
    for (std::size_t sent = 0; sent < request.size();) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may answer (413) before reading everything
        sent += static_cast<std::size_t>(n);
    }
    // A server that never answers fails the test instead of hanging it.
    timeval receive_timeout{.tv_sec = 30, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof(receive_timeout));
    std::string raw;
    char buffer[8192];
    while (!response_complete(raw)) {
        // Pistache keeps the connection open after an answer completed from another thread
        // despite "Connection: close", so the end is found by Content-Length, not by EOF.
        const auto n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);

    HttpResponse response;
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || head_end == std::string::npos) {
        throw std::runtime_error("malformed HTTP response: " + raw);
    }
    response.status = std::stoi(raw.substr(9, 3));
    std::size_t line_start = raw.find("\r\n") + 2;
    while (line_start < head_end) {
        const auto line_end = raw.find("\r\n", line_start);
        const auto line = raw.substr(line_start, line_end - line_start);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            response.headers[name] = value;
        }
        line_start = line_end + 2;
    }
    response.body = raw.substr(head_end + 4);
    return response;
}

}  // namespace ordersource::testing
