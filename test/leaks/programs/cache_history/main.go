// Leak: an audit trail appends every event to a package-level slice "for debugging" and never
// trims it; the events pile up at one allocation site.
package main

import (
	"time"

	"gomemleaks/harness"
)

type event struct {
	at    int64
	kind  int
	attrs [6]int64
}

var history []*event

func recordEvent(kind int) {
	history = append(history, &event{at: time.Now().UnixNano(), kind: kind})
}

func main() {
	r := harness.Start(harness.Options{SampleEvery: 60 * time.Millisecond})
	for round := 1; round <= 2; round++ {
		for i := 0; i < 90_000*round; i++ {
			recordEvent(i % 5)
			if i%10_000 == 0 {
				time.Sleep(10 * time.Millisecond)
			}
		}
		r.Snapshot()
	}
	r.Finish()
}
