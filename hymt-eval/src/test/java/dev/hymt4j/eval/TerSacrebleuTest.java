package dev.hymt4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * sacreBLEU's published TER cases, transcribed from mjpost/sacrebleu {@code test/test_ter.py}
 * (tolerance 1e-3 on the 0–100 scale, as there) and {@code test/test_tokenizer_ter.py}.
 */
class TerSacrebleuTest {

    @ParameterizedTest(name = "test_ter {0} | {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "aaaa bbbb cccc dddd | aaaa bbbb cccc dddd | 0",
            "dddd eeee ffff      | aaaa bbbb cccc      | 1",
            "''                  | a                   | 1",
            "d e f g h a b c     | a b c d e f g h     | 0.125", // a single shift fixes the MT
    })
    void ter(String hyp, String ref, double expected) {
        assertEquals(100 * expected, new Ter().corpusScore(List.of(hyp), List.of(List.of(ref))).score(), 1e-3);
    }

    @Test
    void realisticWmtExample() {
        // "realistic example from WMT dev data (2019)": 0.136
        List<String> hyps = List.of(
                "wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .",
                "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
                "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert \" und geben Sie Werte für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" ein .",
                "Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .",
                "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu . \"");
        List<String> refs = List.of(
                "wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten wird .",
                "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
                "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert \" und geben Sie für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" niedrigere Werte ein .",
                "Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über die Bühne bewegt .",
                "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu . \"");
        TerScore s = new Ter().corpusScore(hyps, List.of(refs));
        assertEquals(13.6, s.score(), 1e-3);
        assertEquals("nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:" + Sacrebleu.VERSION, s.signature());
    }

    @ParameterizedTest(name = "test_ter_tokenizer {0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "default  | a b c d          | a b c d",
            "default  | ''               | ''",
            "default  | a b c d.         | a b c d.",
            "default  | A B C D.         | a b c d.",
            "nopunct  | a b c d.         | a b c d",
            "nopunct  | A ; B ) C : D.   | a b c d",
            "norm     | a b (c) d.       | a b ( c ) d .",
            "norm     | Jim's car.       | jim 's car .",
            "norm     | 4.2              | 4.2",
    })
    void tercomTokenizer(String mode, String input, String expected) {
        TercomTokenizer tok = new TercomTokenizer(mode.equals("norm"), mode.equals("nopunct"), false);
        assertEquals(expected, tok.tokenize(input));
    }

    @Test
    void emptyReferenceAndMultipleReferences() {
        Ter ter = new Ter();
        // Empty reference: every hypothesis word is an edit, score 100 (0 if the hypothesis is empty too).
        assertEquals(100.0, ter.sentenceScore("a b", List.of("")).score());
        assertEquals(0.0, ter.sentenceScore("", List.of("")).score());
        // Two references: fewest edits (0, the second) over the average length (2 + 4) / 2 = 3.
        TerScore s = ter.sentenceScore("a b c d", List.of("x y", "a b c d"));
        assertEquals(0, s.numEdits());
        assertEquals(3.0, s.refLength());
    }
}
