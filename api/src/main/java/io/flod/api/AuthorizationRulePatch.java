package io.flod.api;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * {@code PATCH .../authorizationRules/{r}}: new rights for a rule. Its keys stay, so clients that
 * hold them keep working with the new rights.
 */
public record AuthorizationRulePatch(
    @NotEmpty
        List<@Pattern(regexp = "send|listen|manage", message = "send, listen or manage") String>
            rights) {}
