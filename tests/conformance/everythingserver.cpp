// TEST FIXTURE ONLY: tw-conformance-server, the "everything" server that the official MCP
// conformance suite (@modelcontextprotocol/conformance, pinned in package.json) expects at
// the other end of its server scenarios. It is not part of any Tickerwire product and is not
// installed. It runs the real stack -- tw_http with the security pipeline (DNS-rebinding
// protection on), the Streamable HTTP transport and the McpServer engine -- and registers
// exactly the tools, resources, templates, prompts and completions the scenarios call, with
// the names, arguments and results the suite's scenario sources ask for. README.md maps each
// registration to its scenario.
//
// usage: tw-conformance-server [--port N]   (0 = any free port; 127.0.0.1 only)
// prints "listening on http://127.0.0.1:PORT" on stdout once it accepts connections.
#include "apikeystore.h"
#include "httpserver.h"
#include "logging.h"
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "metrics.h"
#include "originpolicy.h"
#include "securityconfig.h"
#include "securitymiddleware.h"
#include "streamablehttptransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include <cstdio>

using namespace Qt::StringLiterals;
using tw::mcp::McpLogLevel;
using tw::mcp::McpRequestContext;

namespace {

// A 1x1 red PNG and a minimal (empty) WAV: the suite's own everything-server uses these.
const QString kPngBase64 = u"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="_s;
const QString kWavBase64 = u"UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="_s;
const QString kWatchedUri = u"test://watched-resource"_s;
// The suite's client answers sampling and elicitation at once.
constexpr int kClientRequestTimeoutMs = 10000;

QJsonObject text(const QString &t)
{
    return QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, t } };
}

QJsonObject image()
{
    return QJsonObject { { u"type"_s, u"image"_s }, { u"data"_s, kPngBase64 },
        { u"mimeType"_s, u"image/png"_s } };
}

QJsonObject embedded(const QString &uri, const QString &mimeType, const QString &body)
{
    return QJsonObject { { u"type"_s, u"resource"_s },
        { u"resource"_s,
            QJsonObject { { u"uri"_s, uri }, { u"mimeType"_s, mimeType }, { u"text"_s, body } } } };
}

QJsonObject toolResult(const QJsonArray &content)
{
    return QJsonObject { { u"content"_s, content } };
}

QJsonObject userMessage(const QJsonObject &content)
{
    return QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, content } };
}

QJsonObject stringProperty(const QString &description)
{
    return QJsonObject { { u"type"_s, u"string"_s }, { u"description"_s, description } };
}

QJsonObject objectSchema(const QJsonObject &properties = {}, const QStringList &required = {})
{
    QJsonObject schema { { u"type"_s, u"object"_s }, { u"properties"_s, properties } };
    if (!required.isEmpty())
        schema.insert(u"required"_s, QJsonArray::fromStringList(required));
    return schema;
}

QJsonArray titled(const QList<QPair<QString, QString>> &options)
{
    QJsonArray a;
    for (const auto &o : options)
        a.append(QJsonObject { { u"const"_s, o.first }, { u"title"_s, o.second } });
    return a;
}

QStringList startingWith(const QStringList &candidates, const QString &prefix)
{
    QStringList out;
    for (const QString &c : candidates)
        if (c.startsWith(prefix, Qt::CaseInsensitive))
            out << c;
    return out;
}

class EverythingServer {
public:
    explicit EverythingServer(tw::mcp::McpServer *engine)
        : m_engine(engine)
    {
    }

    void setTransport(tw::mcp::StreamableHttpTransport *transport) { m_transport = transport; }

    void registerAll()
    {
        registerContentTools();
        registerBehaviourTools();
        registerClientRequestTools();
        registerResources();
        registerPrompts();
    }

private:
    void tool(const QString &name, const QString &description, const QJsonObject &inputSchema,
        std::function<void(McpRequestContext *)> handler)
    {
        tw::mcp::McpTool t;
        t.name = name;
        t.description = description;
        t.inputSchema = inputSchema;
        t.handler = std::move(handler);
        if (!m_engine->registerTool(t))
            qFatal("tw-conformance-server: could not register tool %s", qPrintable(name));
    }

    // tools-call-simple-text, -image, -audio, -embedded-resource, -mixed-content, -error;
    // json-schema-2020-12.
    void registerContentTools()
    {
        tool(u"test_simple_text"_s, u"Tests simple text content response"_s, objectSchema(),
            [](McpRequestContext *ctx) {
                ctx->finish(toolResult({ text(u"This is a simple text response for testing."_s) }));
            });
        tool(u"test_image_content"_s, u"Tests image content response"_s, objectSchema(),
            [](McpRequestContext *ctx) { ctx->finish(toolResult({ image() })); });
        tool(u"test_audio_content"_s, u"Tests audio content response"_s, objectSchema(),
            [](McpRequestContext *ctx) {
                ctx->finish(toolResult({ QJsonObject { { u"type"_s, u"audio"_s },
                    { u"data"_s, kWavBase64 }, { u"mimeType"_s, u"audio/wav"_s } } }));
            });
        tool(u"test_embedded_resource"_s, u"Tests embedded resource content response"_s,
            objectSchema(), [](McpRequestContext *ctx) {
                ctx->finish(toolResult({ embedded(u"test://embedded-resource"_s, u"text/plain"_s,
                    u"This is an embedded resource content."_s) }));
            });
        tool(u"test_multiple_content_types"_s,
            u"Tests response with multiple content types (text, image, resource)"_s,
            objectSchema(), [](McpRequestContext *ctx) {
                const QByteArray json = QJsonDocument(QJsonObject { { u"test"_s, u"data"_s },
                                                          { u"value"_s, 123 } })
                                            .toJson(QJsonDocument::Compact);
                ctx->finish(toolResult({ text(u"Multiple content types test:"_s), image(),
                    embedded(u"test://mixed-content-resource"_s, u"application/json"_s,
                        QString::fromUtf8(json)) }));
            });
        tool(u"test_error_handling"_s, u"Tests error response handling"_s, objectSchema(),
            [](McpRequestContext *ctx) {
                ctx->finishWithToolError(u"This tool intentionally returns an error for testing"_s);
            });

        // SEP-1613: the listing must keep $schema, $defs and additionalProperties as given.
        const QJsonObject address = objectSchema(QJsonObject {
            { u"street"_s, QJsonObject { { u"type"_s, u"string"_s } } },
            { u"city"_s, QJsonObject { { u"type"_s, u"string"_s } } } });
        QJsonObject schema2020 = objectSchema(QJsonObject {
            { u"name"_s, QJsonObject { { u"type"_s, u"string"_s } } },
            { u"address"_s, QJsonObject { { u"$ref"_s, u"#/$defs/address"_s } } } });
        schema2020.insert(u"$schema"_s, u"https://json-schema.org/draft/2020-12/schema"_s);
        schema2020.insert(u"$defs"_s, QJsonObject { { u"address"_s, address } });
        schema2020.insert(u"additionalProperties"_s, false);
        tool(u"json_schema_2020_12_tool"_s,
            u"Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)"_s,
            schema2020, [](McpRequestContext *ctx) {
                ctx->finish(toolResult({ text(u"JSON Schema 2020-12 tool called with: "_s
                    + QString::fromUtf8(QJsonDocument(ctx->arguments()).toJson(QJsonDocument::Compact))) }));
            });
    }

    // tools-call-with-logging, tools-call-with-progress, server-sse-polling.
    void registerBehaviourTools()
    {
        tool(u"test_tool_with_logging"_s, u"Tests tool that emits log messages during execution"_s,
            objectSchema(), [](McpRequestContext *ctx) {
                const QString logger = u"conformance-test-server"_s;
                ctx->log(McpLogLevel::Info, u"Tool execution started"_s, logger);
                QTimer::singleShot(50, ctx, [ctx, logger] {
                    ctx->log(McpLogLevel::Info, u"Tool processing data"_s, logger);
                    QTimer::singleShot(50, ctx, [ctx, logger] {
                        ctx->log(McpLogLevel::Info, u"Tool execution completed"_s, logger);
                        ctx->finish(toolResult({ text(u"Tool with logging executed successfully"_s) }));
                    });
                });
            });

        tool(u"test_tool_with_progress"_s, u"Tests tool that reports progress notifications"_s,
            objectSchema(), [](McpRequestContext *ctx) {
                auto step = [](McpRequestContext *c, int done) {
                    c->sendProgress(done, 100,
                        u"Completed step %1 of 100"_s.arg(done));
                };
                step(ctx, 0);
                QTimer::singleShot(50, ctx, [ctx, step] {
                    step(ctx, 50);
                    QTimer::singleShot(50, ctx, [ctx, step] {
                        step(ctx, 100);
                        const QJsonValue token = ctx->progressToken();
                        const QString t = token.isString() ? token.toString()
                            : token.isDouble()             ? QString::number(token.toDouble())
                                                           : u"no progress token"_s;
                        ctx->finish(toolResult({ text(t) }));
                    });
                });
            });

        // SEP-1699: end the POST stream mid-call; the client resumes with GET + Last-Event-ID
        // and gets the result from the event store.
        tool(u"test_reconnection"_s,
            u"Tests SSE stream disconnection and client reconnection (SEP-1699). The server "
            "closes the stream mid-call and sends the result after the client reconnects."_s,
            objectSchema(), [this](McpRequestContext *ctx) {
                // After handle() returns: only then has the transport opened the SSE stream.
                QTimer::singleShot(20, ctx, [this, ctx] {
                    const bool closed = m_transport && ctx->session()
                        && m_transport->closeRequestStream(ctx->session()->id(), ctx->id());
                    if (!closed)
                        qWarning("tw-conformance-server: test_reconnection found no SSE stream to close");
                    QTimer::singleShot(closed ? 300 : 0, ctx, [ctx] {
                        ctx->finish(toolResult({ text(u"Reconnection test completed successfully. "
                                                      "If you received this, the client properly "
                                                      "reconnected after stream closure."_s) }));
                    });
                });
            });
    }

    // A tool that sends `method` to the client (McpRequestContext::sendRequest: on the tool
    // call's own SSE stream) and answers with what came back. The engine refuses the request
    // when the client did not declare the capability; the tool reports that as a tool error.
    void clientRequestTool(const QString &name, const QString &description,
        const QJsonObject &inputSchema, const QString &method,
        std::function<QJsonObject(const QJsonObject &arguments)> params,
        std::function<QString(const QJsonObject &result)> describe)
    {
        tool(name, description, inputSchema, [method, params, describe](McpRequestContext *ctx) {
            // The callback runs while ctx is alive: the engine cancels the request (callback
            // with Cancelled) before it lets go of ctx, and finish() is ignored once done.
            ctx->sendRequest(method, params(ctx->arguments()),
                [ctx, method, describe](const tw::mcp::McpClientReply &reply) {
                    if (!reply.isResult()) {
                        ctx->finishWithToolError(method + u" failed: "_s + reply.errorMessage);
                        return;
                    }
                    ctx->finish(toolResult({ text(describe(reply.result)) }));
                },
                kClientRequestTimeoutMs);
        });
    }

    // tools-call-sampling, tools-call-elicitation, elicitation-sep1034-defaults,
    // elicitation-sep1330-enums.
    void registerClientRequestTools()
    {
        auto elicitation = [](const QJsonObject &result) -> QString {
            return u"Elicitation completed: action="_s + result.value("action"_L1).toString()
                + u", content="_s
                + QString::fromUtf8(QJsonDocument(result.value("content"_L1).toObject())
                                        .toJson(QJsonDocument::Compact));
        };

        clientRequestTool(u"test_sampling"_s,
            u"Tests server-initiated sampling (LLM completion request)"_s,
            objectSchema({ { u"prompt"_s, stringProperty(u"The prompt to send to the LLM"_s) } },
                { u"prompt"_s }),
            u"sampling/createMessage"_s,
            [](const QJsonObject &args) {
                return QJsonObject {
                    { u"messages"_s,
                        QJsonArray { userMessage(text(args.value("prompt"_L1).toString())) } },
                    { u"maxTokens"_s, 100 } };
            },
            [](const QJsonObject &result) -> QString {
                return u"LLM response: "_s
                    + result.value("content"_L1).toObject().value("text"_L1).toString();
            });

        clientRequestTool(u"test_elicitation"_s,
            u"Tests server-initiated elicitation (user input request)"_s,
            objectSchema({ { u"message"_s, stringProperty(u"The message to show the user"_s) } },
                { u"message"_s }),
            u"elicitation/create"_s,
            [](const QJsonObject &args) {
                return QJsonObject { { u"message"_s, args.value("message"_L1) },
                    { u"requestedSchema"_s,
                        objectSchema({ { u"username"_s, stringProperty(u"User's response"_s) },
                                         { u"email"_s, stringProperty(u"User's email address"_s) } },
                            { u"username"_s, u"email"_s }) } };
            },
            [](const QJsonObject &result) -> QString {
                return u"User response: action="_s + result.value("action"_L1).toString()
                    + u", content="_s
                    + QString::fromUtf8(QJsonDocument(result.value("content"_L1).toObject())
                                            .toJson(QJsonDocument::Compact));
            });

        clientRequestTool(u"test_elicitation_sep1034_defaults"_s,
            u"Tests elicitation with default values per SEP-1034"_s, objectSchema(),
            u"elicitation/create"_s,
            [](const QJsonObject &) {
                QJsonObject name = stringProperty(u"User name"_s);
                name.insert(u"default"_s, u"John Doe"_s);
                const QJsonObject age { { u"type"_s, u"integer"_s },
                    { u"description"_s, u"User age"_s }, { u"default"_s, 30 } };
                const QJsonObject score { { u"type"_s, u"number"_s },
                    { u"description"_s, u"User score"_s }, { u"default"_s, 95.5 } };
                QJsonObject status = stringProperty(u"User status"_s);
                status.insert(u"enum"_s, QJsonArray { u"active"_s, u"inactive"_s, u"pending"_s });
                status.insert(u"default"_s, u"active"_s);
                const QJsonObject verified { { u"type"_s, u"boolean"_s },
                    { u"description"_s, u"Verification status"_s }, { u"default"_s, true } };
                QJsonObject schema = objectSchema({ { u"name"_s, name }, { u"age"_s, age },
                    { u"score"_s, score }, { u"status"_s, status }, { u"verified"_s, verified } });
                schema.insert(u"required"_s, QJsonArray());
                return QJsonObject {
                    { u"message"_s, u"Please review and update the form fields with defaults"_s },
                    { u"requestedSchema"_s, schema } };
            },
            elicitation);

        clientRequestTool(u"test_elicitation_sep1330_enums"_s,
            u"Tests elicitation with enum schema improvements per SEP-1330"_s, objectSchema(),
            u"elicitation/create"_s,
            [](const QJsonObject &) {
                const QJsonArray options { u"option1"_s, u"option2"_s, u"option3"_s };
                QJsonObject untitledSingle = stringProperty(u"Select one option"_s);
                untitledSingle.insert(u"enum"_s, options);
                QJsonObject titledSingle = stringProperty(u"Select one option with titles"_s);
                titledSingle.insert(u"oneOf"_s,
                    titled({ { u"value1"_s, u"First Option"_s }, { u"value2"_s, u"Second Option"_s },
                        { u"value3"_s, u"Third Option"_s } }));
                QJsonObject legacyEnum = stringProperty(u"Select one option (legacy)"_s);
                legacyEnum.insert(u"enum"_s, QJsonArray { u"opt1"_s, u"opt2"_s, u"opt3"_s });
                legacyEnum.insert(u"enumNames"_s,
                    QJsonArray { u"Option One"_s, u"Option Two"_s, u"Option Three"_s });
                const QJsonObject untitledMulti { { u"type"_s, u"array"_s },
                    { u"description"_s, u"Select multiple options"_s }, { u"minItems"_s, 1 },
                    { u"maxItems"_s, 3 },
                    { u"items"_s, QJsonObject { { u"type"_s, u"string"_s }, { u"enum"_s, options } } } };
                const QJsonObject titledMulti { { u"type"_s, u"array"_s },
                    { u"description"_s, u"Select multiple options with titles"_s },
                    { u"minItems"_s, 1 }, { u"maxItems"_s, 3 },
                    { u"items"_s,
                        QJsonObject { { u"anyOf"_s,
                            titled({ { u"value1"_s, u"First Choice"_s },
                                { u"value2"_s, u"Second Choice"_s },
                                { u"value3"_s, u"Third Choice"_s } }) } } } };
                QJsonObject schema = objectSchema({ { u"untitledSingle"_s, untitledSingle },
                    { u"titledSingle"_s, titledSingle }, { u"legacyEnum"_s, legacyEnum },
                    { u"untitledMulti"_s, untitledMulti }, { u"titledMulti"_s, titledMulti } });
                schema.insert(u"required"_s, QJsonArray());
                return QJsonObject { { u"message"_s, u"Please select options from the enum fields"_s },
                    { u"requestedSchema"_s, schema } };
            },
            elicitation);
    }

    // resources-list, -read-text, -read-binary, -templates-read, -subscribe, -unsubscribe;
    // completion on the template's {id}.
    void registerResources()
    {
        auto resource = [this](const QString &uri, const QString &name, const QString &title,
                            const QString &description, const QString &mimeType,
                            const QString &key, const QString &value) {
            tw::mcp::McpResource r;
            r.uri = uri;
            r.name = name;
            r.title = title;
            r.description = description;
            r.mimeType = mimeType;
            r.read = [uri, mimeType, key, value](McpRequestContext *ctx, const QString &) {
                ctx->finish(QJsonObject { { u"contents"_s,
                    QJsonArray { QJsonObject { { u"uri"_s, uri }, { u"mimeType"_s, mimeType },
                        { key, value } } } } });
            };
            m_engine->registerResource(r);
        };
        resource(u"test://static-text"_s, u"static-text"_s, u"Static Text Resource"_s,
            u"A static text resource for testing"_s, u"text/plain"_s, u"text"_s,
            u"This is the content of the static text resource."_s);
        resource(u"test://static-binary"_s, u"static-binary"_s, u"Static Binary Resource"_s,
            u"A static binary resource (image) for testing"_s, u"image/png"_s, u"blob"_s,
            kPngBase64);
        resource(kWatchedUri, u"watched-resource"_s, u"Watched Resource"_s,
            u"A resource that announces an update every 3 seconds"_s, u"text/plain"_s,
            u"text"_s, u"Watched resource content"_s);

        tw::mcp::McpResourceTemplate t;
        t.uriTemplate = u"test://template/{id}/data"_s;
        t.name = u"template"_s;
        t.title = u"Resource Template"_s;
        t.description = u"A resource template with parameter substitution"_s;
        t.mimeType = u"application/json"_s;
        t.read = [](McpRequestContext *ctx, const QString &uri, const QHash<QString, QString> &vars) {
            const QString id = vars.value(u"id"_s);
            const QByteArray body = QJsonDocument(QJsonObject { { u"id"_s, id },
                                                      { u"templateTest"_s, true },
                                                      { u"data"_s, QString(u"Data for ID: "_s + id) } })
                                        .toJson(QJsonDocument::Compact);
            ctx->finish(QJsonObject { { u"contents"_s,
                QJsonArray { QJsonObject { { u"uri"_s, uri }, { u"mimeType"_s, u"application/json"_s },
                    { u"text"_s, QString::fromUtf8(body) } } } } });
        };
        t.complete = [](const QString &variable, const QString &value, const QHash<QString, QString> &) {
            return variable == "id"_L1 ? startingWith({ u"123"_s, u"456"_s, u"789"_s }, value)
                                       : QStringList();
        };
        if (!m_engine->registerResourceTemplate(t))
            qFatal("tw-conformance-server: could not register the resource template");
    }

    // prompts-list, -get-simple, -get-with-args, -get-embedded-resource, -get-with-image;
    // completion-complete (on test_prompt_with_arguments).
    void registerPrompts()
    {
        auto prompt = [this](const QString &name, const QString &title, const QString &description,
                          const QList<tw::mcp::McpPromptArgument> &arguments,
                          std::function<void(McpRequestContext *)> get) -> tw::mcp::McpPrompt & {
            tw::mcp::McpPrompt p;
            p.name = name;
            p.title = title;
            p.description = description;
            p.arguments = arguments;
            p.get = std::move(get);
            m_prompts.append(p);
            return m_prompts.last();
        };
        auto arg = [](const QString &name, const QString &description) {
            tw::mcp::McpPromptArgument a;
            a.name = name;
            a.description = description;
            a.required = true;
            return a;
        };

        prompt(u"test_simple_prompt"_s, u"Simple Test Prompt"_s, u"A simple prompt without arguments"_s,
            {}, [](McpRequestContext *ctx) {
                ctx->finish(QJsonObject { { u"messages"_s,
                    QJsonArray { userMessage(text(u"This is a simple prompt for testing."_s)) } } });
            });
        tw::mcp::McpPrompt &withArgs = prompt(u"test_prompt_with_arguments"_s,
            u"Prompt With Arguments"_s, u"A prompt with required arguments"_s,
            { arg(u"arg1"_s, u"First test argument"_s), arg(u"arg2"_s, u"Second test argument"_s) },
            [](McpRequestContext *ctx) {
                const QJsonObject a = ctx->arguments();
                ctx->finish(QJsonObject { { u"messages"_s,
                    QJsonArray { userMessage(text(u"Prompt with arguments: arg1='%1', arg2='%2'"_s.arg(
                        a.value("arg1"_L1).toString(), a.value("arg2"_L1).toString()))) } } });
            });
        withArgs.complete = [](const QString &argument, const QString &value,
                                const QHash<QString, QString> &) {
            if (argument == "arg1"_L1)
                return startingWith({ u"paris"_s, u"park"_s, u"party"_s, u"test"_s, u"testValue1"_s }, value);
            if (argument == "arg2"_L1)
                return startingWith({ u"testValue2"_s, u"world"_s }, value);
            return QStringList();
        };
        prompt(u"test_prompt_with_embedded_resource"_s, u"Prompt With Embedded Resource"_s,
            u"A prompt that includes an embedded resource"_s,
            { arg(u"resourceUri"_s, u"URI of the resource to embed"_s) }, [](McpRequestContext *ctx) {
                const QString uri = ctx->arguments().value("resourceUri"_L1).toString();
                ctx->finish(QJsonObject { { u"messages"_s,
                    QJsonArray { userMessage(embedded(uri, u"text/plain"_s,
                                     u"Embedded resource content for testing."_s)),
                        userMessage(text(u"Please process the embedded resource above."_s)) } } });
            });
        prompt(u"test_prompt_with_image"_s, u"Prompt With Image"_s,
            u"A prompt that includes image content"_s, {}, [](McpRequestContext *ctx) {
                ctx->finish(QJsonObject { { u"messages"_s,
                    QJsonArray { userMessage(image()),
                        userMessage(text(u"Please analyze the image above."_s)) } } });
            });

        for (const tw::mcp::McpPrompt &p : std::as_const(m_prompts))
            if (!m_engine->registerPrompt(p))
                qFatal("tw-conformance-server: could not register prompt %s", qPrintable(p.name));
    }

    tw::mcp::McpServer *m_engine;
    QPointer<tw::mcp::StreamableHttpTransport> m_transport;
    QList<tw::mcp::McpPrompt> m_prompts;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tw-conformance-server"_s);
    tw::core::installLogFormat();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Test fixture: the MCP \"everything\" server for the conformance suite."_s);
    parser.addHelpOption();
    const QCommandLineOption portOption(u"port"_s, u"TCP port on 127.0.0.1 (0 = any free port)."_s,
        u"port"_s, u"0"_s);
    parser.addOption(portOption);
    parser.process(app);
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    if (!portOk || port > 65535) {
        std::fprintf(stderr, "tw-conformance-server: --port needs 0..65535\n");
        return 2;
    }

    tw::core::MetricsRegistry metrics;
    tw::http::HttpServer http(tw::http::HttpLimits(), &metrics);

    // The production pipeline in its order, with DNS-rebinding protection on (the server is
    // bound to loopback; dns-rebinding-protection checks it) and rate limits out of the way
    // of a test client that makes many requests from one address.
    tw::http::SecurityConfig security;
    security.checkHost = true;
    security.requestsPerMinute = 1000000;
    security.streamsPerMinute = 1000000;
    tw::http::ApiKeyStore keys; // none: loopback development mode
    tw::http::OriginPolicy origins(security.allowedOrigins);
    http.addMiddleware(std::make_shared<tw::http::RateLimitMiddleware>(security, &keys));
    http.addMiddleware(std::make_shared<tw::http::CorsMiddleware>(&origins));
    http.addMiddleware(std::make_shared<tw::http::OriginHostMiddleware>(&origins, security.checkHost));
    http.addMiddleware(std::make_shared<tw::http::ApiKeyMiddleware>(&keys));
    http.addMiddleware(std::make_shared<tw::http::JsonBodyMiddleware>());

    tw::mcp::McpSettings settings;
    settings.serverName = u"tw-conformance-everything"_s;
    settings.serverTitle = u"Tickerwire conformance fixture"_s;
    tw::mcp::McpServer engine(settings, &metrics);
    tw::mcp::StreamableHttpTransport transport(&engine, &http);

    EverythingServer everything(&engine);
    everything.setTransport(&transport);
    everything.registerAll();

    // resources-subscribe: the watched resource changes every 3 seconds.
    QTimer watched;
    QObject::connect(&watched, &QTimer::timeout, &engine,
        [&engine] { engine.notifyResourceUpdated(kWatchedUri); });
    watched.start(3000);

    if (!http.listen(QHostAddress(QHostAddress::LocalHost), quint16(port))) {
        std::fprintf(stderr, "tw-conformance-server: %s\n", qPrintable(http.errorString()));
        return 1;
    }
    std::printf("listening on %s\n", qPrintable(http.baseUrl()));
    std::fflush(stdout);
    return app.exec();
}
