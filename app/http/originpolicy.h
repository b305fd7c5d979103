// Browser Origin allow-list and the loopback Host check (DNS-rebinding protection).
#pragma once

#include <QByteArray>
#include <QStringList>

#include <vector>

namespace tw::http {

class OriginPolicy {
public:
    // Empty list = defaults: http(s)://localhost, http(s)://127.0.0.1, http(s)://[::1], any port.
    // Entries: "https://app.example.com", "http://localhost:5174", "http://localhost:*", or "*"
    // (any origin; logged as a warning by the server).
    explicit OriginPolicy(const QStringList &allowed = {});

    // Exact scheme/host/port match after normalising case and default ports.
    bool isAllowed(const QByteArray &origin) const;
    const QStringList &entries() const { return m_entries; }

    // True when `hostHeader` ("localhost:8750", "127.0.0.1", "[::1]:80") names a loopback host.
    static bool isLoopbackHost(const QByteArray &hostHeader);

private:
    struct Rule {
        QByteArray scheme;
        QByteArray host;
        int port = -1; // -1 = any port
    };
    QStringList m_entries;
    std::vector<Rule> m_rules;
    bool m_any = false;
};

} // namespace tw::http
