package dev.hearth.pool.runtime;

import java.util.Objects;

/**
 * What it takes to create a runtime that does not exist yet: its spec and its source archive. The archive is cold,
 * read only if a creation really starts (a request that finds the runtime ready, or joins another's creation, never
 * opens it).
 */
public record RuntimeCreation(RuntimeSpec spec, SourceArchive source) {

    public RuntimeCreation {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(source, "source");
    }
}
