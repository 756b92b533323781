// An MCP server on the TypeScript SDK v2 (@modelcontextprotocol/server 2.x,
// with @modelcontextprotocol/node), for tests/it/interop.rs.
//
//     node ts_sdk2.mjs PORT [--sessions | --modern-only]
//
// Default: `createMcpHandler`, the SDK's way to serve HTTP: a fresh server per
// request, 2026-07-28 and the 2025 `initialize` handshake alike, no sessions.
// --sessions: the SDK's "keep a sessionful 2025 deployment" recipe: 2025
// requests (`isLegacyRequest`) go to a NodeStreamableHTTPServerTransport with
// a sessionIdGenerator, one per session in this process's memory; the rest
// to `createMcpHandler(..., { legacy: 'reject' })`.
// --modern-only: `createMcpHandler(..., { legacy: 'reject' })` alone: a server
// that speaks 2026-07-28 only.
// Listens on 127.0.0.1 only; GET /healthz answers "ok".
//
// The environment picks a release (unset: the default tools `echo({text})` and
// `add({a, b})`, as tests/it/interop.rs expects), for tests/it/smoke.rs:
// INTEROP_RELEASE=raises (`echo` throws; the error names lookup-db.internal),
// hangs (`echo` never answers), removes (`add` is gone), requires (`echo` has a
// new required argument `lang`), adds (a new tool `reverse`, an optional
// argument `upper` on `echo`). INTEROP_CALLED=FILE: every tool call appends the
// tool's name to FILE first, so a test can see which tools were called.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, McpServer } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport, localhostHostValidation, toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import * as z from 'zod/v4';

const port = Number(process.argv[2]);
const mode = process.argv[3] ?? '';
if (!['', '--sessions', '--modern-only'].includes(mode)) {
    console.error(`unknown mode ${mode}: expected --sessions or --modern-only`);
    process.exit(2);
}

const release = process.env.INTEROP_RELEASE ?? '';
if (!['', 'raises', 'hangs', 'removes', 'requires', 'adds'].includes(release)) {
    console.error(`unknown INTEROP_RELEASE=${release}: expected raises, hangs, removes, requires or adds`);
    process.exit(2);
}

function called(tool) {
    if (process.env.INTEROP_CALLED) appendFileSync(process.env.INTEROP_CALLED, `${tool}\n`);
}

function buildServer() {
    const server = new McpServer({ name: 'interop-typescript-sdk-2', version: '2.0.0' });
    if (release === 'requires') {
        server.registerTool(
            'echo',
            { description: 'Return the text as it came, in a language.', inputSchema: z.object({ text: z.string(), lang: z.string() }) },
            async ({ text, lang }) => {
                called('echo');
                return { content: [{ type: 'text', text: `${lang}: ${text}` }] };
            }
        );
    } else if (release === 'adds') {
        server.registerTool(
            'echo',
            {
                description: 'Return the text as it came, upper-cased if asked.',
                inputSchema: z.object({ text: z.string(), upper: z.boolean().optional() })
            },
            async ({ text, upper }) => {
                called('echo');
                return { content: [{ type: 'text', text: upper ? text.toUpperCase() : text }] };
            }
        );
        server.registerTool('reverse', { description: 'Return the text reversed.', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => {
            called('reverse');
            return { content: [{ type: 'text', text: [...text].reverse().join('') }] };
        });
    } else {
        server.registerTool('echo', { description: 'Return the text as it came.', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => {
            called('echo');
            if (release === 'raises') throw new Error('lookup-db.internal refused the connection');
            if (release === 'hangs') await new Promise(() => {});
            return { content: [{ type: 'text', text }] };
        });
    }
    if (release !== 'removes') {
        server.registerTool(
            'add',
            { description: 'Add two integers.', inputSchema: z.object({ a: z.number().int(), b: z.number().int() }) },
            async ({ a, b }) => {
                called('add');
                return { content: [{ type: 'text', text: String(a + b) }] };
            }
        );
    }
    return server;
}

const modern = toNodeHandler(createMcpHandler(buildServer, mode === '' ? {} : { legacy: 'reject' }));

// --sessions: the 2025 leg, one transport per session id.
const sessions = new Map();
async function legacy(req, res, body) {
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId && sessions.has(sessionId)) {
        await sessions.get(sessionId).handleRequest(req, res, body);
    } else if (!sessionId && isInitializeRequest(body)) {
        const transport = new NodeStreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: id => sessions.set(id, transport)
        });
        transport.onclose = () => {
            if (transport.sessionId) sessions.delete(transport.sessionId);
        };
        await buildServer().connect(transport);
        await transport.handleRequest(req, res, body);
    } else if (sessionId) {
        reply(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
    } else {
        reply(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: Session ID required' }, id: null });
    }
}

function reply(res, status, json) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(json));
}

async function readJson(req) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

const validHost = localhostHostValidation();
const http = createServer(async (req, res) => {
    try {
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/healthz' && req.method === 'GET') {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.end('ok');
            return;
        }
        if (path !== '/mcp') {
            res.writeHead(404).end();
            return;
        }
        if (!validHost(req, res)) return;
        if (mode !== '--sessions') {
            await modern(req, res);
            return;
        }
        const body = req.method === 'POST' ? await readJson(req) : undefined;
        if (await isLegacyRequest(await toWebRequest(req, body), body)) {
            await legacy(req, res, body);
        } else {
            await modern(req, res, body);
        }
    } catch (error) {
        console.error(error);
        if (!res.headersSent) reply(res, 500, { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
    }
});
http.on('error', error => {
    console.error(`cannot listen on 127.0.0.1:${port}: ${error.message}`);
    process.exit(1);
});
http.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/mcp ${mode}`));
