package io.flod.api;

/**
 * A SAS policy's keys and connection strings in Event Hubs' format ({@code
 * Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...[;EntityPath=topic]}).
 */
public record AuthorizationRuleKeys(
    String keyName,
    String primaryKey,
    String secondaryKey,
    String primaryConnectionString,
    String secondaryConnectionString) {}
