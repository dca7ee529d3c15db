package io.flod.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * What a cluster should be: {@code POST /v1/tenants/{t}/clusters} and its GET/PATCH views. {@code
 * updateDomains} (default {@value #DEFAULT_UPDATE_DOMAINS}) and {@code authentication} ({@code
 * SAS}, the default: clients need a SAS rule's connection string or token; {@code None}, only when
 * asked for, for local development: anyone may connect, and the cluster takes no SAS rules) are
 * fixed at creation, and so is {@code httpMaxMessageBytes} (default {@value
 * #DEFAULT_HTTP_MAX_MESSAGE_BYTES}, as Event Hubs Basic; at most 1 MiB): the largest event or batch
 * the brokers' HTTPS publishing heads take.
 */
public record ClusterSpec(
    @NotNull
        @Pattern(
            regexp = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
            message = "1-63 lower-case letters, digits or '-', not starting or ending with '-'")
        String name,
    @Min(1) @Max(100) int nodeCount,
    @NotNull @Pattern(regexp = "small|standard|large", message = "small, standard or large")
        String nodeSize,
    @NotEmpty List<@Pattern(regexp = "[a-z0-9-]{1,32}", message = "a zone name") String> zones,
    @Min(1) @Max(20) Integer updateDomains,
    @Min(1) @Max(40) int throughputUnits,
    @NotNull @Pattern(regexp = "4\\.[0-9]+", message = "a 4.x broker version") String brokerVersion,
    @Pattern(regexp = "None|SAS", message = "None or SAS") String authentication,
    @Min(1024) @Max(1_048_576) Integer httpMaxMessageBytes) {
  public static final int DEFAULT_UPDATE_DOMAINS = 5;
  public static final int DEFAULT_HTTP_MAX_MESSAGE_BYTES = 262_144;
  public static final String NO_AUTHENTICATION = "None";
  public static final String SAS_AUTHENTICATION = "SAS";

  /** The spec with its defaults filled in. */
  public ClusterSpec withDefaults() {
    return new ClusterSpec(
        name,
        nodeCount,
        nodeSize,
        zones,
        updateDomains != null ? updateDomains : DEFAULT_UPDATE_DOMAINS,
        throughputUnits,
        brokerVersion,
        authentication != null ? authentication : SAS_AUTHENTICATION,
        httpMaxMessageBytes != null ? httpMaxMessageBytes : DEFAULT_HTTP_MAX_MESSAGE_BYTES);
  }

  public boolean sas() {
    return SAS_AUTHENTICATION.equals(authentication);
  }
}
