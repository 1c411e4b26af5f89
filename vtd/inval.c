/* Invalidation: queued invalidation when the unit has it, else the registers. */
#include "lib.h"
#include "mm.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

#define QI_CC		0x1ULL	/* context-cache invalidate */
#define QI_IOTLB	0x2ULL
#define QI_IEC		0x4ULL	/* interrupt entry cache */
#define QI_WAIT		0x5ULL
#define QI_WAIT_SW	BIT(5)	/* status write */
#define QI_WAIT_FN	BIT(6)	/* fence: later descriptors wait for this one */
#define QI_GRAN(g)	((u64)(g) << 4)
#define QI_DID(d)	((u64)(d) << 16)

int vtd_qi_enable(struct vtd_unit *u)
{
	u->qi = vtd_hw_alloc_page();
	if (!u->qi)
		return -ENOMEM;
	vtd_unit_flush(u, u->qi, PAGE_SIZE);
	u->qi_tail = 0;
	vtd_hw_write64(u, VTD_REG_IQT, 0);
	vtd_hw_write64(u, VTD_REG_IQA, virt_to_phys(u->qi) | VTD_IQA_QS(0));	/* 128-bit descriptors */
	return vtd_unit_gcmd(u, VTD_GCMD_QIE, true);
}

/* A descriptor the unit rejected becomes a plain wait so the queue moves on. */
static void qi_recover(struct vtd_unit *u)
{
	unsigned head = (vtd_hw_read64(u, VTD_REG_IQH) >> 4) % VTD_QI_ENTRIES;

	u->qi[2 * head] = QI_WAIT;
	u->qi[2 * head + 1] = 0;
	vtd_unit_flush(u, &u->qi[2 * head], 16);
	vtd_hw_write32(u, VTD_REG_FSTS, VTD_FSTS_IQE);
}

/* Queue @n descriptors plus a status-writing wait, and wait for it. */
static int qi_submit(struct vtd_unit *u, const u64 (*d)[2], unsigned n)
{
	u32 seq;
	int ret = 0;

	spin_lock(&u->lock);
	seq = ++u->qi_seq;
	for (unsigned i = 0; i <= n; i++) {
		u64 *slot = &u->qi[2 * u->qi_tail];

		if (i < n) {
			slot[0] = d[i][0];
			slot[1] = d[i][1];
		} else {
			slot[0] = QI_WAIT | QI_WAIT_SW | QI_WAIT_FN | ((u64)seq << 32);
			slot[1] = virt_to_phys((const void *)&u->qi_status);
		}
		vtd_unit_flush(u, slot, 16);
		u->qi_tail = (u->qi_tail + 1) % VTD_QI_ENTRIES;
	}
	vtd_hw_write64(u, VTD_REG_IQT, (u64)u->qi_tail << 4);
	for (unsigned i = 0; __atomic_load_n(&u->qi_status, __ATOMIC_ACQUIRE) != seq; i++) {
		if (vtd_hw_read32(u, VTD_REG_FSTS) & VTD_FSTS_IQE) {
			qi_recover(u);
			ret = -EIO;
		}
		if (i >= VTD_POLL_US) {
			ret = -ETIMEDOUT;
			break;
		}
		vtd_hw_relax();
	}
	spin_unlock(&u->lock);
	if (ret)
		pr_err("VT-d: unit %u: invalidation queue %s\n", u->index,
		       ret == -EIO ? "error (descriptor rejected)" : "timed out");
	return ret;
}

static int poll64_clear(struct vtd_unit *u, unsigned off, u64 bit)
{
	for (unsigned i = 0; vtd_hw_read64(u, off) & bit; i++) {
		if (i >= VTD_POLL_US)
			return -ETIMEDOUT;
		vtd_hw_relax();
	}
	return 0;
}

int vtd_inv_context(struct vtd_unit *u, enum vtd_inv_gran g, u16 did, u16 sid)
{
	int ret;

	if (u->qi) {
		const u64 d[1][2] = { { QI_CC | QI_GRAN(g) | QI_DID(did) | ((u64)sid << 32), 0 } };

		return qi_submit(u, d, 1);
	}
	spin_lock(&u->lock);
	vtd_hw_write64(u, VTD_REG_CCMD, VTD_CCMD_ICC | VTD_CCMD_CIRG(g) | VTD_CCMD_SID(sid) |
		       VTD_CCMD_DID(did));
	ret = poll64_clear(u, VTD_REG_CCMD, VTD_CCMD_ICC);
	if (!ret && !((vtd_hw_read64(u, VTD_REG_CCMD) >> 59) & 3))
		ret = -EIO;		/* CAIG 0: the request was not performed */
	spin_unlock(&u->lock);
	return ret;
}

int vtd_inv_iotlb(struct vtd_unit *u, enum vtd_inv_gran g, u16 did, u64 addr, unsigned am)
{
	bool dr = u->caps.drain_read, dw = u->caps.drain_write;
	unsigned iro = u->caps.iro;
	int ret;

	if (g == VTD_INV_PAGE && (!u->caps.psi || am > u->caps.mamv))
		g = VTD_INV_DOMAIN;
	if (u->qi) {
		const u64 d[1][2] = { {
			QI_IOTLB | QI_GRAN(g) | (dw ? BIT(6) : 0) | (dr ? BIT(7) : 0) | QI_DID(did),
			g == VTD_INV_PAGE ? (addr & ~0xfffULL) | am : 0,
		} };

		return qi_submit(u, d, 1);
	}
	spin_lock(&u->lock);
	if (g == VTD_INV_PAGE)
		vtd_hw_write64(u, VTD_REG_IVA(iro), (addr & ~0xfffULL) | am);
	vtd_hw_write64(u, VTD_REG_IOTLB(iro), VTD_IOTLB_IVT | VTD_IOTLB_IIRG(g) |
		       (dr ? VTD_IOTLB_DR : 0) | (dw ? VTD_IOTLB_DW : 0) | VTD_IOTLB_DID(did));
	ret = poll64_clear(u, VTD_REG_IOTLB(iro), VTD_IOTLB_IVT);
	if (!ret && !VTD_IOTLB_IAIG(vtd_hw_read64(u, VTD_REG_IOTLB(iro))))
		ret = -EIO;
	spin_unlock(&u->lock);
	return ret;
}

int vtd_inv_iec(struct vtd_unit *u, bool global, u16 index)
{
	const u64 d[1][2] = { { QI_IEC | (global ? 0 : BIT(4)) | ((u64)index << 32), 0 } };

	if (!u->qi)
		return -ENOTSUP;	/* the interrupt entry cache has no register interface */
	return qi_submit(u, d, 1);
}

void vtd_write_buffer_flush(struct vtd_unit *u)
{
	u32 v;

	if (!u->caps.rwbf)
		return;
	spin_lock(&u->lock);
	v = vtd_hw_read32(u, VTD_REG_GSTS) & ~VTD_GSTS_ONESHOT;
	vtd_hw_write32(u, VTD_REG_GCMD, v | VTD_GCMD_WBF);
	for (unsigned i = 0; vtd_hw_read32(u, VTD_REG_GSTS) & VTD_GCMD_WBF && i < VTD_POLL_US; i++)
		vtd_hw_relax();
	spin_unlock(&u->lock);
}

unsigned vtd_psi_plan(u64 iova, u64 size, unsigned mamv, struct vtd_psi *out, unsigned max)
{
	unsigned n = 0;

	iova = ALIGN_DOWN(iova, PAGE_SIZE);
	size = ALIGN_UP(size, PAGE_SIZE);
	while (size) {
		unsigned am = 0;

		/* the largest naturally aligned block that starts here and fits */
		while (am < mamv && IS_ALIGNED(iova, PAGE_SIZE << (am + 1)) &&
		       (PAGE_SIZE << (am + 1)) <= size)
			am++;
		if (n == max)
			return 0;
		out[n].addr = iova;
		out[n++].am = am;
		iova += PAGE_SIZE << am;
		size -= PAGE_SIZE << am;
	}
	return n;
}

int vtd_inv_iotlb_range(struct vtd_unit *u, u16 did, u64 iova, u64 size)
{
	struct vtd_psi psi[8];
	unsigned n = u->caps.psi ? vtd_psi_plan(iova, size, u->caps.mamv, psi, ARRAY_SIZE(psi)) : 0;
	int ret = 0;

	if (!n)
		return vtd_inv_iotlb(u, VTD_INV_DOMAIN, did, 0, 0);
	for (unsigned i = 0; i < n && !ret; i++)
		ret = vtd_inv_iotlb(u, VTD_INV_PAGE, did, psi[i].addr, psi[i].am);
	return ret;
}
