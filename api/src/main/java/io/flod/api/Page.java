package io.flod.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One page of a list; {@code nextLink} is the URL of the next page, absent on the last. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Page<T>(List<T> items, String nextLink) {}
