package io.flod.api;

import java.util.List;

/** A SAS policy without its keys: listing rules never shows keys (use listKeys). */
public record AuthorizationRuleView(String name, String scope, List<String> rights, String etag) {}
