package policy

import "fmt"

// msgRCPAllow is Organizations' MalformedPolicyDocumentException text.
const msgRCPAllow = "The provided policy document does not meet the requirements of the specified policy type."

// CodeOrgMalformed is the error code Organizations answers for it.
const CodeOrgMalformed = "MalformedPolicyDocumentException"

// CheckCustomerRCP rejects a resource control policy that a customer may
// not create: only the AWS-managed RCPFullAWSAccess may use "Allow"
// (Organizations UG, RCP syntax). Parse accepts Allow in RCPs so that the
// AWS-managed policy compiles; creating or validating one goes through here.
func CheckCustomerRCP(p *Policy) error {
	if p.Type != RCP {
		return nil
	}
	for i := range p.Statements {
		if p.Statements[i].Effect == Allow {
			return &Error{Code: CodeOrgMalformed, Message: msgRCPAllow,
				Path:   fmt.Sprintf("Statement[%d].Effect", i),
				Detail: "the effect Allow is supported only in the AWS-managed RCPFullAWSAccess policy", Offset: -1}
		}
	}
	return nil
}

// ParseCustomer parses a document a customer creates or validates: Parse,
// plus the rules that only customer-managed policies follow.
func ParseCustomer(doc string, t Type) (*Policy, error) {
	p, err := Parse(doc, t)
	if err != nil {
		return nil, err
	}
	if err := CheckCustomerRCP(p); err != nil {
		return nil, err
	}
	return p, nil
}
