package answers

import (
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/swedish"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The analysis shared by the index and the queries: text is split into lower-case words (letters and digits; a
// hyphen, a dot or an apostrophe ends a word, so "suomi.fi" is two words and "kesä-" joins nothing), stop words of
// all three languages are dropped, and each word is stemmed with each language's Snowball stemmer, then folded (ä→a,
// ö→o, å→a), so that a word typed without the Nordic letters still meets its stem.

// words splits text into lower-case words.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// stemmers are the Snowball stemmers by language; each call gets its own environment.
var stemmers = map[domain.Lang]func(*snowballstem.Env) bool{
	domain.Finnish: finnish.Stem, domain.Swedish: swedish.Stem, domain.English: english.Stem,
}

var envPool = sync.Pool{New: func() any { return snowballstem.NewEnv("") }}

// stem is word's stem in lang, folded.
func stem(lang domain.Lang, word string) string {
	env := envPool.Get().(*snowballstem.Env)
	defer envPool.Put(env)
	env.SetCurrent(word)
	stemmers[lang](env)
	return fold(env.Current())
}

var folder = strings.NewReplacer("ä", "a", "ö", "o", "å", "a", "é", "e", "ü", "u")

// fold takes the Nordic letters to their plain look-alikes, as people type them on a keyboard without them.
func fold(s string) string { return folder.Replace(s) }

// isStop reports whether w is a word too common to say anything about the question, in any of the languages.
func isStop(w string) bool { return stopWords[fold(w)] || len([]rune(w)) < 2 }

// stopWords are the folded forms of function words and question words of Finnish, Swedish and English, and words
// every question here contains ("mandate" is not one: it tells an entry about mandates from one about the bot).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []string{
		// Finnish
		`ja tai on ei en et emme ette eivat ole olen olet olla ollut oli olisi se ne sen niin kun kuin jos etta mutta
		 mita mika mitka miten miksi milloin missa mista mihin kuka ketka kenen kenelle keneen keita minka millä milla
		 mina sina han me te he minun sinun hanen meidan teidan heidan minulla sinulla minulle sinulle minua sinua
		 minut sinut tama taman tata nama tuo tuon nyt jo viela myos vain voi voiko voinko
		 voin voit voisin voisiko pitaako pitaa taytyy tarvitseeko saako saan sain saa ole onko onks onkohan kanssa
		 ilman kautta kohti jotta joka jonka jota jotka ovat olisiko mitaan jotain jokin kuinka paljon
		 hei moi kiitos terve no nii niinku siis vaan sit sitten mulla mun mulle mua sun ku et`,
		// Swedish
		`och eller att det den de en ett som ar var vara varit har hade har inte ingen inga jag du han hon vi ni dom
		 min mitt mina din ditt dina sin sitt sina vad vem vilken vilket vilka hur varfor nar var vart dar hit dit
		 kan kunde ska skall skulle maste behover far fick for fran till med utan om pa av i ur hos vid mot efter
		 under over sa nu redan ocksa bara mig dig sig oss er hej tack hejsan alltsa liksom`,
		// English
		`a an the and or but if of to in on at by for from with without about into as is are was were be been being
		 am do does did doing have has had having i me my mine you your yours he she it its we our they their them
		 this that these those what which who whom whose when where why how can could should would will shall may
		 might must need needs not no yes so just also any some there here then than hi hello thanks please get got`,
	} {
		for _, w := range strings.Fields(list) {
			m[fold(w)] = true
		}
	}
	return m
}()
