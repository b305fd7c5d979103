// The browser bridge as the seed's page sees it: Node's `eventsource` package (the same
// EventSource semantics a browser has: Last-Event-ID on reconnect, retry, stop on 204) against
// a real tickerwire-server on 127.0.0.1 port 0 with the demo feed at a high rate. Adapted from
// the seed's test_streaming.js: it reads /api/mcp/stream-news, checks ids increase and items
// match the symbol, drops the connection mid-stream and resumes with Last-Event-ID (no loss,
// no repeat: compared with the hub's sequence numbers, read through the get_market_news MCP
// tool), sees the final result end the stream for good, and stays on a page across a server
// restart: EventSource reconnects by itself with its old Last-Event-ID, and the new run's
// sequence numbers start above the old run's, so the page gets every item the new run has
// published instead of waiting (silently) for the new numbers to pass its old id.
//
// usage: node test_streaming.js <node_modules dir> <tickerwire-server binary>
'use strict';

const path = require('path');
const { spawn } = require('child_process');

const [modulesDir, serverBinary] = process.argv.slice(2);
if (!modulesDir || !serverBinary) {
    console.error('usage: node test_streaming.js <node_modules dir> <tickerwire-server binary>');
    process.exit(2);
}
const EventSource = require(path.resolve(modulesDir, 'eventsource'));

const TIMEOUT_MS = 30000; // generous per step: a loaded machine; never asserted as a duration

function fail(message) {
    throw new Error(message);
}
function check(condition, message) {
    if (!condition)
        fail(message);
}
function withTimeout(promise, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT_MS);
        }),
    ]).finally(() => clearTimeout(timer));
}

function startServer(port = 0) {
    const child = spawn(serverBinary,
        ['--port', String(port), '--demo-rate', '50', '--demo-seed', '11', '--stream-rate-limit', '100'],
        { env: { ...process.env, QT_LOGGING_RULES: 'tickerwire.*.debug=false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const ready = new Promise((resolve, reject) => {
        const onData = (chunk) => {
            output += chunk.toString();
            const m = output.match(/listening on (http:\/\/[^\s"]+)/);
            if (m)
                resolve(m[1]);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
    });
    return { child, ready: withTimeout(ready, 'server start') };
}

// A minimal MCP client over fetch: initialize, then tools/call answered as JSON.
async function mcpSession(base) {
    const headers = {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2025-06-18',
    };
    const init = await fetch(`${base}/mcp`, {
        method: 'POST', headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bridge-test', version: '1' } } }),
    });
    check(init.status === 200, `initialize: HTTP ${init.status}`);
    const session = init.headers.get('mcp-session-id');
    await init.json();
    headers['Mcp-Session-Id'] = session;
    const ready = await fetch(`${base}/mcp`, { method: 'POST', headers,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    check(ready.status === 202, `notifications/initialized: HTTP ${ready.status}`);
    let id = 1;
    return async (name, args) => {
        const r = await fetch(`${base}/mcp`, { method: 'POST', headers,
            body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name, arguments: args } }) });
        const body = await r.json();
        check(body.result, `${name}: ${JSON.stringify(body)}`);
        return body.result.structuredContent;
    };
}

// The hub's retained items for `symbol` with sequence > after, ascending.
async function hubSequences(callTool, symbol, after) {
    const sc = await callTool('get_market_news', { symbol, limit: 200 });
    return sc.items.map((i) => i.sequence).filter((s) => s > after).sort((a, b) => a - b);
}

// Reads one EventSource the way the seed's page does; resolves on the final result.
function readStream(url, { symbol, closeOnResult = true, stopAfterItems = 0, lastEventId } = {}) {
    return new Promise((resolve, reject) => {
        const init = lastEventId ? { headers: { 'Last-Event-ID': String(lastEventId) } } : undefined;
        const es = new EventSource(url, init);
        const got = { items: [], ids: [], result: null, es };
        let lastSeq = 0;
        let lastProgress = 0;
        es.onmessage = (event) => {
            try {
                const data = JSON.parse(event.data);
                if (data.method === 'notifications/progress') {
                    const news = JSON.parse(data.params.message); // the seed page's exact step
                    check(news.symbols.includes(symbol), `item not about ${symbol}: ${data.params.message}`);
                    const seq = Number(event.lastEventId);
                    check(Number.isInteger(seq) && seq > lastSeq, `ids must increase: ${event.lastEventId} after ${lastSeq}`);
                    check(seq === news.sequence, `id ${seq} is not the item's sequence ${news.sequence}`);
                    check(data.params.progress > lastProgress, 'progress must increase');
                    lastSeq = seq;
                    lastProgress = data.params.progress;
                    got.items.push(news);
                    got.ids.push(seq);
                    if (stopAfterItems && got.items.length >= stopAfterItems) {
                        es.close();
                        resolve(got);
                    }
                } else if (data.result) {
                    check(event.lastEventId === 'end', `the final event's id should be "end", not ${event.lastEventId}`);
                    got.result = data.result;
                    if (closeOnResult)
                        es.close(); // what the seed's page does
                    resolve(got);
                } else {
                    fail(`unexpected event: ${event.data}`);
                }
            } catch (e) {
                es.close();
                reject(e);
            }
        };
        es.onerror = (err) => {
            if (got.result || (stopAfterItems && got.items.length >= stopAfterItems))
                return;
            es.close();
            reject(new Error(`EventSource error before the result: ${JSON.stringify(err)}`));
        };
    });
}

async function main() {
    let restartable = startServer();
    const { ready } = restartable;
    try {
        const base = await ready;
        const callTool = await mcpSession(base);
        const stream = (params) => `${base}/api/mcp/stream-news?${params}`;

        // 1. The seed's page: items for TSLA only, ids increasing, then the result listing them.
        const run = await withTimeout(readStream(stream('symbol=TSLA&duration=2000&interval=1000'), { symbol: 'TSLA' }), 'first stream');
        check(run.items.length > 0, 'no TSLA items in 2 s at 50 items/s');
        const sc = run.result.structuredContent;
        check(sc.endReason === 'duration', `endReason ${sc.endReason}`);
        check(sc.count === run.items.length, `result count ${sc.count} != ${run.items.length} items streamed`);
        check(JSON.stringify(sc.items.map((i) => i.id)) === JSON.stringify(run.items.map((i) => i.id)),
            'the result must list exactly the streamed items');
        // get_market_news returns the newest 200: compare over the range both cover.
        const last = run.ids[run.ids.length - 1];
        const hubFirst = (await hubSequences(callTool, 'TSLA', 0)).filter((s) => s <= last);
        check(hubFirst.length > 0, 'the hub retains none of the streamed items');
        const from = Math.max(run.ids[0], hubFirst[0]);
        check(JSON.stringify(hubFirst.filter((s) => s >= from)) === JSON.stringify(run.ids.filter((s) => s >= from)),
            `the stream skipped or repeated hub items: ${run.ids} vs hub ${hubFirst}`);
        console.log(`ok 1 - stream: ${run.items.length} TSLA items in hub order, then the result`);

        // 2. A page that does not close on the result: EventSource reconnects with
        //    Last-Event-ID: end, gets 204 and stops for good (readyState CLOSED).
        const stops = await withTimeout(new Promise((resolve, reject) => {
            readStream(stream('symbol=TSLA&duration=1000&interval=1000'), { symbol: 'TSLA', closeOnResult: false })
                .then((got) => {
                    got.es.onerror = (err) => {
                        if (err && err.status === 204)
                            setTimeout(() => resolve(got.es.readyState), 50);
                        else if (err && err.status)
                            reject(new Error(`expected 204 on reconnect, got ${JSON.stringify(err)}`));
                        // else: the stream ended; EventSource announces its reconnect
                    };
                }, reject);
        }), 'reconnect after the end');
        check(stops === EventSource.CLOSED, `EventSource should be CLOSED after 204, readyState ${stops}`);
        console.log('ok 2 - after the result, a reconnect gets 204 and EventSource stops');

        // 3. Drop the connection mid-stream, resume with Last-Event-ID: no loss, no repeat.
        const part1 = await withTimeout(readStream(stream('symbol=AAPL&duration=600000'), { symbol: 'AAPL', stopAfterItems: 4 }), 'part 1');
        const resumeAfter = part1.ids[part1.ids.length - 1];
        // Let news pile up while disconnected, so the resume has to replay.
        await withTimeout((async () => {
            while ((await hubSequences(callTool, 'AAPL', resumeAfter)).length < 5)
                await new Promise((r) => setTimeout(r, 100));
        })(), 'news while disconnected');
        const part2 = await withTimeout(readStream(stream('symbol=AAPL&duration=600000'),
            { symbol: 'AAPL', stopAfterItems: 8, lastEventId: resumeAfter }), 'part 2');
        const expected = await hubSequences(callTool, 'AAPL', resumeAfter);
        check(part2.ids[0] > resumeAfter, `resumed stream repeated ${part2.ids[0]} (<= ${resumeAfter})`);
        check(JSON.stringify(expected.slice(0, part2.ids.length)) === JSON.stringify(part2.ids),
            `resumed ids ${part2.ids} are not the hub's next items ${expected.slice(0, part2.ids.length)}`);
        console.log(`ok 3 - resumed after ${resumeAfter} with ${part2.ids.length} items, none lost or repeated`);

        // 4. The server dies under an open page and comes back on the same port (same demo seed,
        //    so it repeats the old run's stories). EventSource reconnects on its own with the old
        //    run's last id; the page must get the new run's TSLA items from its very first one.
        const seen = [];
        const page = new EventSource(stream('symbol=TSLA&duration=600000'));
        page.onmessage = (event) => {
            const data = JSON.parse(event.data);
            if (data.method !== 'notifications/progress')
                return;
            const news = JSON.parse(data.params.message);
            seen.push({ seq: Number(event.lastEventId), sequence: news.sequence, id: news.id });
        };
        page.onerror = () => {}; // connection lost / refused: EventSource retries by itself
        const waitFor = (what, condition) => withTimeout((async () => {
            while (!condition())
                await new Promise((r) => setTimeout(r, 50));
        })(), what);
        try {
            await waitFor('TSLA items before the restart', () => seen.length >= 2);
            const exited = new Promise((resolve) => restartable.child.on('exit', resolve));
            restartable.child.kill('SIGKILL');
            await withTimeout(exited, 'server exit');
            const beforeRestart = seen.length; // nothing more can come from the dead run
            const lastOld = seen[beforeRestart - 1].seq;
            restartable = startServer(Number(new URL(base).port));
            const base2 = await restartable.ready;
            check(base2 === base, `the new run listens on ${base2}, not ${base}`);
            await waitFor('TSLA items after the restart', () => seen.length >= beforeRestart + 3);
            page.close();
            const after = seen.slice(beforeRestart);
            const callTool2 = await mcpSession(base2);
            const hubNew = await hubSequences(callTool2, 'TSLA', 0);
            check(after.every((x) => x.seq === x.sequence && Number.isSafeInteger(x.seq)),
                `ids must be the items' (exact) sequences: ${JSON.stringify(after)}`);
            check(after[0].seq > lastOld, `the new run's ids must be above the old run's: ${after[0].seq} after ${lastOld}`);
            check(JSON.stringify(hubNew.slice(0, after.length)) === JSON.stringify(after.map((x) => x.seq)),
                `after the restart the page got ${after.map((x) => x.seq)}, not the new run's first TSLA items ${hubNew.slice(0, after.length)}`);
            console.log(`ok 4 - after a server restart the page resumed with ${after.length} items, from the new run's first`);
        } finally {
            page.close();
        }
    } finally {
        restartable.child.kill('SIGTERM');
    }
}

main().then(() => process.exit(0), (e) => {
    console.error(`not ok - ${e.message}`);
    process.exit(1);
});
