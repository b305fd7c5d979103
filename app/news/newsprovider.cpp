#include "newsprovider.h"

namespace tw::news {

QString ProviderHealth::stateName(State s)
{
    switch (s) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Ok:
        return QStringLiteral("ok");
    case State::Degraded:
        return QStringLiteral("degraded");
    case State::Failing:
        return QStringLiteral("failing");
    case State::Disabled:
        return QStringLiteral("disabled");
    }
    return QStringLiteral("unknown");
}

} // namespace tw::news
