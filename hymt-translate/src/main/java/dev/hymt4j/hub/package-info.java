/**
 * Model download from the Hugging Face hub into the cache layout {@code huggingface_hub} uses, so the two share
 * downloads. {@link dev.hymt4j.hub.ModelLocator} turns a {@code --model} argument (folder or repo id) into a
 * model folder; {@link dev.hymt4j.hub.HubDownloader} fetches a revision; {@link dev.hymt4j.hub.HubConfig} reads
 * {@code HF_ENDPOINT}, {@code HF_HOME}, {@code HF_HUB_CACHE}, {@code HF_TOKEN} and {@code HF_HUB_OFFLINE}.
 */
package dev.hymt4j.hub;
