package io.flod.api;

/**
 * What a node agent sends when it starts ({@code POST /v1/agents/register}, authenticated with its
 * bootstrap token): where its broker will listen.
 *
 * @param httpPort the port for the broker's HTTPS publishing head, or 0 for none
 */
public record AgentRegistration(String host, int brokerPort, int httpPort, String agentVersion) {}
