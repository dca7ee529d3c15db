package io.flod.api;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * A shared access (SAS) policy: a name and rights among {@code send}, {@code listen} and {@code
 * manage}. As in Event Hubs, {@code manage} requires the other two.
 */
public record AuthorizationRuleSpec(
    @NotNull
        @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "1-64 letters, digits, '.', '_' or '-'")
        String name,
    @NotEmpty
        List<@Pattern(regexp = "send|listen|manage", message = "send, listen or manage") String>
            rights) {}
