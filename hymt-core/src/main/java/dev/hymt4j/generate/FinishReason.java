package dev.hymt4j.generate;

/** Why a sequence stopped growing. */
public enum FinishReason {
    /** It produced one of the stop token ids (the id is the last generated token). */
    STOP_TOKEN,
    /** It reached the maximum number of new tokens (or the model's maximum position). */
    MAX_NEW_TOKENS,
    /** It was cancelled; the generated ids are those chosen before the cancellation. */
    CANCELLED;

    /** The OpenAI-style name: "stop", "length" or "cancelled". */
    public String apiName() {
        return switch (this) {
            case STOP_TOKEN -> "stop";
            case MAX_NEW_TOKENS -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
