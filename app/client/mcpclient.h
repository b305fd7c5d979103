// An MCP client over Streamable HTTP (POST with JSON or SSE answers, resumption with GET +
// Last-Event-ID, DELETE on close) or over stdio to a child process (newline-delimited JSON).
// It initializes and negotiates the revision, keeps the session (and re-initializes once,
// transparently, when the server says 404), correlates answers with requests, routes
// progress, answers the server's own requests (ping; sampling, elicitation and roots only with
// a handler), surfaces log messages, and turns every failure into an McpError with a message
// a user can act on. QtCore + QtNetwork only: it knows nothing of the server's code.
#pragma once

#include "mcpcall.h"
#include "mcpclientsettings.h"
#include "mcperror.h"
#include "mcprequestoptions.h"
#include "mcpresponse.h"
#include "ssestream.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;
class QProcess;

namespace tw::client {

class McpClient : public QObject {
    Q_OBJECT
public:
    enum class State {
        Disconnected,
        Connecting,
        Ready,
        Closed,
        Failed
    };
    Q_ENUM(State)
    enum class Transport {
        Http,
        Stdio
    };

    // Streamable HTTP at `endpoint` (e.g. http://127.0.0.1:8750/mcp).
    explicit McpClient(
        const QUrl &endpoint, McpClientSettings settings = {}, QObject *parent = nullptr);
    // stdio: starts `program args` on connectToServer() and speaks newline-delimited JSON on
    // its stdin/stdout (its stderr goes to the tickerwire.client debug log).
    static McpClient *forCommand(const QString &program, const QStringList &args,
        McpClientSettings settings = {}, QObject *parent = nullptr);
    ~McpClient() override;

    static QStringList supportedProtocolVersions();

    // initialize, then notifications/initialized, then state Ready (ready() emitted). On
    // failure state Failed and errorOccurred().
    void connectToServer();
    // Ends the session (DELETE over HTTP; closes the child's stdin over stdio), cancels what is
    // still running locally. closed() follows when the server has been told.
    void close();

    // Sends a request now (Ready) or once initialized (Connecting). Never null; a request
    // made when not connected finishes at once (queued) with Kind::NotConnected.
    McpCall *request(
        const QString &method, const QJsonObject &params = {}, McpRequestOptions options = {});
    // Streamable HTTP: opens the session's standalone GET stream (list_changed, resource
    // updates, log messages tied to no request) now if Ready, else once Ready; it follows the
    // session across re-initializes and reconnects with Last-Event-ID. No-op over stdio, where
    // every message arrives on the one pipe anyway.
    void openServerStream();

    // A notification (dropped with a warning when not Ready).
    void notify(const QString &method, const QJsonObject &params = {});

    // Answers server->client requests for `method` (e.g. roots/list, sampling/createMessage,
    // elicitation/create): a result, or an McpResponse with error.code/message set. Install
    // before connectToServer() so the capability is declared.
    using RequestHandler = std::function<McpResponse(const QJsonObject &params)>;
    void setRequestHandler(const QString &method, RequestHandler handler);

    Transport transport() const { return m_transport; }
    State state() const { return m_state; }
    QUrl endpoint() const { return m_endpoint; }
    QString sessionId() const { return QString::fromLatin1(m_sessionId); }
    QString protocolVersion() const { return m_protocolVersion; }
    QJsonObject serverInfo() const { return m_serverInfo; }
    QJsonObject serverCapabilities() const { return m_serverCapabilities; }
    McpError lastError() const { return m_lastError; }
    const McpClientSettings &settings() const { return m_settings; }

Q_SIGNALS:
    void stateChanged(tw::client::McpClient::State state);
    void ready();
    void errorOccurred(const tw::client::McpError &error);
    // The session expired (404) and a new one was initialized.
    void sessionReinitialized(const QString &newSessionId);
    // notifications/message from the server.
    void logMessage(const QString &level, const QString &logger, const QJsonValue &data);
    // Every notification the server sends (progress and log messages included).
    void notificationReceived(const QString &method, const QJsonObject &params);
    void closed();

private:
    friend class McpCall;
    McpClient(Transport transport, McpClientSettings settings, QObject *parent);

    McpCall *createCall(
        const QString &method, const QJsonObject &params, bool withProgress, int timeoutMs);
    void startInitialize();
    void onInitializeDone(const McpResponse &response);
    void becomeReady();
    void reinitialize();
    void failConnection(const McpError &error);
    void setState(State state);
    void send(McpCall *call);

    // HTTP
    QNetworkRequest makeRequest(bool post) const;
    void startPost(McpCall *call);
    void startResume(McpCall *call);
    void attachReply(McpCall *call, QNetworkReply *reply);
    void onCallReadyRead(McpCall *call, QNetworkReply *reply);
    void onCallFinished(McpCall *call, QNetworkReply *reply);
    void feedSse(McpCall *call, const QByteArray &bytes);
    // Schedules a GET + Last-Event-ID for `call`, or fails it when that is not possible.
    void tryResume(McpCall *call, const QString &why);
    void postMessage(const QJsonObject &message, std::function<void(const McpError &)> done = {});
    McpError httpError(QNetworkReply *reply) const;

    void startServerStream();
    void stopServerStream();

    // stdio
    void onProcessOutput();
    void onProcessFinished();

    // Both
    void writeMessage(const QJsonObject &message);
    void handleIncoming(const QJsonObject &message);
    void handleNotification(const QString &method, const QJsonObject &params);
    void answerServerRequest(const QJsonObject &message);
    void completeCall(McpCall *call, const McpResponse &response);
    void failCall(McpCall *call, const McpError &error);
    void cancelCall(McpCall *call, const QString &reason, McpError::Kind kind);

    Transport m_transport;
    McpClientSettings m_settings;
    QUrl m_endpoint;
    QByteArray m_apiKey;
    QNetworkAccessManager *m_nam = nullptr;
    QPointer<SseStream> m_serverStream;
    bool m_wantServerStream = false;
    QProcess *m_process = nullptr;
    QString m_program;
    QStringList m_args;
    QByteArray m_stdoutBuffer;

    State m_state = State::Disconnected;
    bool m_reinitializing = false;
    QByteArray m_sessionId;
    QString m_protocolVersion;
    QJsonObject m_serverInfo;
    QJsonObject m_serverCapabilities;
    McpError m_lastError;

    qint64 m_nextId = 1;
    QHash<qint64, McpCall *> m_calls; // by id, until done
    QHash<QString, qint64> m_progressTokens; // token -> call id
    QList<QPointer<McpCall>> m_pending; // waiting for Ready
    QHash<QString, RequestHandler> m_handlers;
};

} // namespace tw::client
