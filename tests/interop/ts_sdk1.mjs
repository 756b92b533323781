// An MCP server on the TypeScript SDK v1 (@modelcontextprotocol/sdk 1.x,
// StreamableHTTPServerTransport on Express), for tests/it/interop.rs.
//
//     node ts_sdk1.mjs PORT [--stateless]
//
// Default: a session per `initialize` (sessionIdGenerator), kept in this
// process's memory, as the SDK's README shows; --stateless:
// `sessionIdGenerator: undefined` with a new server and transport per request.
// Listens on 127.0.0.1 only; GET /healthz answers "ok".
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';

const port = Number(process.argv[2]);
const stateless = process.argv.slice(3).includes('--stateless');

function buildServer() {
    const server = new McpServer({ name: 'interop-typescript-sdk-1', version: '1.0.0' });
    server.registerTool('echo', { description: 'Return the text as it came.', inputSchema: { text: z.string() } }, async ({ text }) => ({
        content: [{ type: 'text', text }]
    }));
    server.registerTool('add', { description: 'Add two integers.', inputSchema: { a: z.number().int(), b: z.number().int() } }, async ({ a, b }) => ({
        content: [{ type: 'text', text: String(a + b) }]
    }));
    return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.get('/healthz', (_req, res) => res.send('ok'));

if (stateless) {
    app.post('/mcp', async (req, res) => {
        const server = buildServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        res.on('close', () => {
            transport.close();
            server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, req.body);
    });
    const notAllowed = (_req, res) =>
        res.status(405).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
    app.get('/mcp', notAllowed);
    app.delete('/mcp', notAllowed);
} else {
    const transports = {};
    app.post('/mcp', async (req, res) => {
        const sessionId = req.headers['mcp-session-id'];
        let transport;
        if (sessionId && transports[sessionId]) {
            transport = transports[sessionId];
        } else if (!sessionId && isInitializeRequest(req.body)) {
            transport = new StreamableHTTPServerTransport({
                sessionIdGenerator: () => randomUUID(),
                onsessioninitialized: id => {
                    transports[id] = transport;
                }
            });
            transport.onclose = () => {
                if (transport.sessionId) delete transports[transport.sessionId];
            };
            await buildServer().connect(transport);
        } else {
            res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
            return;
        }
        await transport.handleRequest(req, res, req.body);
    });
    const sessionRequest = async (req, res) => {
        const sessionId = req.headers['mcp-session-id'];
        if (!sessionId || !transports[sessionId]) {
            res.status(400).send('Invalid or missing session ID');
            return;
        }
        await transports[sessionId].handleRequest(req, res);
    };
    app.get('/mcp', sessionRequest);
    app.delete('/mcp', sessionRequest);
}

app.listen(port, '127.0.0.1', error => {
    if (error) {
        console.error(`cannot listen on 127.0.0.1:${port}: ${error.message}`);
        process.exit(1);
    }
    console.log(`listening on http://127.0.0.1:${port}/mcp${stateless ? ' (stateless)' : ''}`);
});
