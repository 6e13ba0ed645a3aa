package dev.hymt4j.prompt;

import java.util.Objects;

/** One terminology constraint: {@code sourceTerm} must be translated as {@code targetTerm}. */
public record GlossaryEntry(String sourceTerm, String targetTerm) {
    public GlossaryEntry {
        Objects.requireNonNull(sourceTerm, "sourceTerm");
        Objects.requireNonNull(targetTerm, "targetTerm");
        if (sourceTerm.isBlank()) throw new IllegalArgumentException("glossary source term is blank");
        if (targetTerm.isBlank()) throw new IllegalArgumentException("glossary target term for '" + sourceTerm + "' is blank");
    }
}
