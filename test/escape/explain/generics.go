package p

var sink interface{}

type List[T any] struct{ items []T }

func (l *List[T]) Push(x T) { l.items = append(l.items, x) }

func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func use(p *int) {
	var l List[*int]
	l.Push(p)
	sink = Map([]int{1}, func(i int) string { return "" })
}
