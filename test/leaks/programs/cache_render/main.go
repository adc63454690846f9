// Leak: rendered pages are memoised in a map keyed by the full URL, query string included;
// nothing is ever evicted, so the cache grows with every distinct URL.
package main

import (
	"fmt"
	"strings"

	"gomemleaks/harness"
)

var cache = map[string]string{}

func render(url string) string {
	var b strings.Builder
	b.Grow(200)
	b.WriteString("<html><body>")
	b.WriteString(url)
	b.WriteString("</body></html>")
	return b.String()
}

func serve(url string) string {
	if page, ok := cache[url]; ok {
		return page
	}
	page := render(url)
	cache[url] = page
	return page
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 32 << 10})
	r.Gauge("cache_len", func() float64 { return float64(len(cache)) })
	n := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 60_000; i++ {
			n++
			serve(fmt.Sprintf("/item?id=%d&session=%x", n, n*7919))
		}
		r.Snapshot()
	}
	r.Finish()
}
