package s3

// TableRow is one row of the operation table as boto3_ops_test.go hands it
// to testdata/boto3_ops.py: the operation's name and whether it is served
// (false: its handler answers NotImplemented).
type TableRow struct {
	Name        string `json:"name"`
	Implemented bool   `json:"implemented"`
}

// TableRows lists every row of the operation table, in table order.
func TableRows() []TableRow {
	rows := make([]TableRow, 0, len(operations))
	for i := range operations {
		rows = append(rows, TableRow{Name: operations[i].Name, Implemented: !answersNotImplemented(&operations[i])})
	}
	return rows
}
