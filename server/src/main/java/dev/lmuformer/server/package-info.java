/**
 * A keyword-spotting server over WebSocket, on embedded Jetty 12: {@link dev.lmuformer.server.KeywordServer}
 * started with a {@link dev.lmuformer.server.Spotter} (the model and its rule) and
 * {@link dev.lmuformer.server.ServerOptions}. The protocol and its transcript: docs/serve.md.
 */
package dev.lmuformer.server;
