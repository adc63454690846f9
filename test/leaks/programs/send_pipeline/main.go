// Leak: a pipeline stage emits every match on an unbuffered channel, but the consumer only
// wants the first three and returns; the producer is left blocked sending the fourth.
package main

import (
	"strconv"
	"time"

	"gomemleaks/harness"
)

func emitMatches(lines []string, out chan<- string) {
	for _, l := range lines {
		if len(l) > 1 {
			out <- l
		}
	}
	close(out)
}

func firstThree(lines []string) []string {
	out := make(chan string)
	go emitMatches(lines, out)
	var got []string
	for m := range out {
		got = append(got, m)
		if len(got) == 3 {
			break // the producer is never told to stop
		}
	}
	return got
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 8 << 10, SampleEvery: 40 * time.Millisecond})
	lines := make([]string, 40)
	for i := range lines {
		lines[i] = "line-" + strconv.Itoa(i)
	}
	for round := 1; round <= 2; round++ {
		for i := 0; i < 700*round; i++ {
			firstThree(lines)
		}
		time.Sleep(150 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
