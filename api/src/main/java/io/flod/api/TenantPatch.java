package io.flod.api;

import jakarta.validation.constraints.Size;

/** {@code PATCH /v1/tenants/{name}}: the fields a tenant may change. */
public record TenantPatch(@Size(max = 255) String displayName) {}
