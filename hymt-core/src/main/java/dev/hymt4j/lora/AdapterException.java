package dev.hymt4j.lora;

import java.io.IOException;

/** A LoRA adapter that cannot be used with this model: missing file, bad config, missing or mis-shaped tensor. */
public class AdapterException extends IOException {
    public AdapterException(String message) {
        super(message);
    }
}
