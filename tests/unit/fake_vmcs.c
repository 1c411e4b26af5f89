/* A VMCS for host unit tests (include/vmx.h's vmread/vmwrite under UNIT_TEST). */
#include <assert.h>
#include <string.h>
#include "lib.h"
#include "vmx.h"
#include "fake_vmcs.h"

#define FIELDS 160	/* a whole guest state (vmm/vmcs.c) fits */

static struct { u64 field, value; bool written; } vmcs[FIELDS];
static unsigned nr;

static unsigned slot(u64 field)
{
	for (unsigned i = 0; i < nr; i++)
		if (vmcs[i].field == field)
			return i;
	assert(nr < FIELDS);
	vmcs[nr].field = field;
	vmcs[nr].value = 0;
	vmcs[nr].written = false;
	return nr++;
}

void fake_vmcs_reset(void)
{
	memset(vmcs, 0, sizeof(vmcs));
	nr = 0;
}

void fake_vmcs_set(u64 field, u64 v)
{
	vmcs[slot(field)].value = v;
}

u64 fake_vmcs_get(u64 field)
{
	return vmcs[slot(field)].value;
}

bool fake_vmcs_written(u64 field)
{
	return vmcs[slot(field)].written;
}

u64 vmread(u64 field)
{
	return fake_vmcs_get(field);
}

void vmwrite(u64 field, u64 v)
{
	unsigned i = slot(field);

	vmcs[i].value = v;
	vmcs[i].written = true;
}
