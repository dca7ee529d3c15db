package io.flod.api;

/**
 * What a node agent sends when it starts ({@code POST /v1/agents/register}, authenticated with its
 * bootstrap token): where its broker will listen.
 */
public record AgentRegistration(String host, int brokerPort, String agentVersion) {}
