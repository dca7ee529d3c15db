package io.flod.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code POST .../authorizationRules/{r}/regenerateKeys}: which key to replace. */
public record RegenerateKeyRequest(
    @NotNull @Pattern(regexp = "PrimaryKey|SecondaryKey", message = "PrimaryKey or SecondaryKey")
        String keyType) {}
