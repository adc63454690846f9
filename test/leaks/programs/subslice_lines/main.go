// Leak: a log indexer loads each 192 KiB chunk as a string and remembers only the first
// line of it; the substring shares the chunk's memory, so every chunk stays live.
package main

import (
	"strings"
	"time"

	"gomemleaks/harness"
)

type indexEntry struct {
	firstLine string
	offset    int
}

var index []indexEntry

func loadChunk(n int) string {
	b := make([]byte, 192<<10)
	for i := range b {
		b[i] = 'a' + byte((i+n)%26)
		if i%80 == 79 {
			b[i] = '\n'
		}
	}
	return string(b)
}

func indexChunk(n int) {
	chunk := loadChunk(n)
	line := chunk[:strings.IndexByte(chunk, '\n')] // shares chunk's bytes
	index = append(index, indexEntry{firstLine: line, offset: n})
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 64 << 10, SampleEvery: 30 * time.Millisecond})
	n := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 150; i++ {
			n++
			indexChunk(n)
		}
		time.Sleep(50 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
