package p

import (
	"sort"
	"strings"
	"sync"
)

type keeper struct{ items []*int }

func (k *keeper) keep(p *int) {
	k.items = append(k.items, p)
}

func (k *keeper) size() int { return len(k.items) }

func useKeeper(k *keeper) {
	v := 1
	k.keep(&v)
}

func lockIt() int {
	var mu sync.Mutex
	mu.Lock()
	defer mu.Unlock()
	return 1
}

func build(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p)
	}
	return b.String()
}

func sorted() []int {
	s := []int{3, 1, 2}
	sort.Ints(s)
	return s
}

func unknown(f func(*int)) {
	x := 0
	f(&x)
}

func join(a, b string) string {
	return strings.Join([]string{a, b}, ",")
}

func methodValue(k *keeper) func() int {
	return k.size
}

type buf struct{ data []byte }

func (b *buf) shift() {
	b.data = b.data[1:]
}

func toString(b []byte) string {
	return string(b)
}

func concat(a, b string) string {
	return a + b
}

func toBytes(s string) int {
	return len([]byte(s))
}
