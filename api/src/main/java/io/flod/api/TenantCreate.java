package io.flod.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code POST /v1/tenants}: a tenant's name is its URL segment, fixed once created. */
public record TenantCreate(
    @NotNull
        @Pattern(
            regexp = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
            message = "1-63 lower-case letters, digits or '-', not starting or ending with '-'")
        String name,
    @Size(max = 255) String displayName) {}
