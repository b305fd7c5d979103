#include "hostbudget.h"

#include <QDeadlineTimer>

#include <algorithm>

namespace tw::news {

HostBudget::HostBudget(int requestsPerWindow, qint64 windowMs)
    : m_limit(std::max(1, requestsPerWindow))
    , m_windowMs(std::max<qint64>(1, windowMs))
{
}

qint64 HostBudget::nowMs()
{
    return QDeadlineTimer::current().deadline();
}

qint64 HostBudget::reserve(const QString &hostName, qint64 nowMs)
{
    const QString host = hostName.toLower();
    // Drop hosts whose windows have emptied, so the table stays as small as the live host set.
    for (auto it = m_sent.begin(); it != m_sent.end();) {
        while (!it->empty() && it->front() <= nowMs - m_windowMs)
            it->pop_front();
        it = it->empty() && it.key() != host ? m_sent.erase(it) : std::next(it);
    }
    std::deque<qint64> &sent = m_sent[host];
    if (int(sent.size()) < m_limit) {
        sent.push_back(nowMs);
        return 0;
    }
    return std::max<qint64>(1, sent.front() + m_windowMs - nowMs);
}

} // namespace tw::news
