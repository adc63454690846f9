package p

type Node struct {
	next *Node
	val  *int
}

var global *int
var nodes = map[string]*Node{}

func toGlobal() {
	x := 1
	global = &x
}

func throughPointer(n *Node) {
	v := 2
	n.val = &v
}

func intoMap(k string) {
	nodes[k] = &Node{}
}

func send(ch chan *int) {
	y := 3
	ch <- &y
}

func sliceElem(s []*int) {
	z := 4
	s[0] = &z
}

func linked() *Node {
	a := &Node{}
	b := &Node{next: a}
	return b
}

func literalMap() int {
	m := map[int]int{1: 2}
	return len(m)
}

func sliceLit() int {
	s := []int{1, 2, 3}
	return s[0]
}

func loopAddr() {
	var p *int
	for i := 0; i < 3; i++ {
		j := i
		p = &j
	}
	_ = p
}
