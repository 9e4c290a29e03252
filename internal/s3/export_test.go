package s3

import (
	"net/http"
	"reflect"
)

// RouteName routes r (addressing bucket and key) as Serve does and names
// the row it reaches; served is false for a row answering NotImplemented.
func RouteName(r *http.Request, bucket, key string) (name string, served bool, e *Error) {
	op, e := route(&Request{HTTP: r, Bucket: bucket, Key: key})
	if e != nil {
		return "", false, e
	}
	return op.Name, !answersNotImplemented(op), nil
}

// OperationNames are the names of the table's rows.
func OperationNames() []string {
	names := make([]string, 0, len(operations))
	for i := range operations {
		names = append(names, operations[i].Name)
	}
	return names
}

func answersNotImplemented(op *Operation) bool {
	return reflect.ValueOf(op.Handler).Pointer() == reflect.ValueOf(handler(notImplemented)).Pointer()
}
