#!/usr/bin/env python3
"""Writes a synthetic en-de JSONL corpus of about SIZE bytes for the PrepareJob benchmark.

Sentences are built from word lists with a seeded RNG, so the corpus is the same on every run. About 8% of the
lines repeat an earlier line exactly and 4% repeat one up to case and punctuation, so deduplication has work;
a few lines are empty or too long so the per-row rules reject some.  usage: gen_corpus.py OUT SIZE_BYTES
"""
import json
import random
import sys

EN = ("the a file window cell sheet document table chart menu option dialog button text field page style frame "
      "image list value column row select open close save insert delete format print preview edit view tools "
      "help data range name number date time macro filter sort chart axis legend title label border color").split()
DE = ("die der das eine Datei Fenster Zelle Tabelle Dokument Diagramm Menü Option Dialog Schaltfläche Text Feld "
      "Seite Vorlage Rahmen Bild Liste Wert Spalte Zeile wählen öffnen schließen speichern einfügen löschen Format "
      "drucken Vorschau bearbeiten Ansicht Extras Hilfe Daten Bereich Name Nummer Datum Zeit Makro Filter").split()


def sentence(rng, words, n):
    s = " ".join(rng.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def main():
    out, size = sys.argv[1], int(sys.argv[2])
    rng = random.Random(2024)
    written = 0
    recent = []
    with open(out, "w", encoding="utf-8") as f:
        i = 0
        while written < size:
            r = rng.random()
            if r < 0.08 and recent:
                line = rng.choice(recent)
            elif r < 0.12 and recent:
                rec = json.loads(rng.choice(recent))
                rec["source"] = rec["source"].upper().rstrip(".") + " !"
                line = json.dumps(rec, ensure_ascii=False)
            else:
                n = rng.randint(4, 22)
                src = sentence(rng, EN, n) + f" {i}"
                tgt = sentence(rng, DE, n + rng.randint(-2, 3)) + f" {i}"
                if r > 0.995:
                    src = ""
                line = json.dumps({"source": src, "target": tgt, "src_lang": "en", "tgt_lang": "de"}, ensure_ascii=False)
                if len(recent) < 20000:
                    recent.append(line)
                else:
                    recent[rng.randrange(20000)] = line
            f.write(line + "\n")
            written += len(line.encode("utf-8")) + 1
            i += 1


if __name__ == "__main__":
    main()
