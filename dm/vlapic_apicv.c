/*
 * The vLAPIC's side of APIC virtualization (include/vlapic.h): what the
 * owner needs to keep the CPU's view (RVI, SVI, EOI-exit bitmap) in step
 * with the register page both paths share. Pure logic.
 */
#include "vlapic.h"
#include "lib.h"

/* Owner only; a level vector staged before the switch back is not lost. */
void vlapic_set_apicv(struct vlapic *l, bool on)
{
	u32 staged[8];

	__atomic_store_n(&l->apicv, on, __ATOMIC_SEQ_CST);
	if (!on && vlapic_take_staged(l, staged)) {
		vlapic_irr_merge(l, staged);
		__atomic_store_n(&l->irr_hint, 1, __ATOMIC_SEQ_CST);
	}
}

/*
 * Takes the staged level vectors; true if there were any. The hint spares
 * the eight exchanges when nothing is staged (edge interrupts: most of
 * them); a sender that stages after the hint was cleared sets it again.
 */
bool vlapic_take_staged(struct vlapic *l, u32 staged[8])
{
	u32 any = 0;

	if (!__atomic_exchange_n(&l->staged_hint, 0, __ATOMIC_SEQ_CST))
		return false;
	for (unsigned w = 0; w < 8; w++) {
		staged[w] = __atomic_exchange_n(&l->level_staged[w], 0, __ATOMIC_SEQ_CST);
		any |= staged[w];
	}
	return any != 0;
}

void vlapic_irr_merge(struct vlapic *l, const u32 bits[8])
{
	for (unsigned w = 0; w < 8; w++)
		if (bits[w])
			__atomic_fetch_or(&l->regs[(APIC_IRR >> 2) + w * 4], bits[w], __ATOMIC_SEQ_CST);
}

int vlapic_highest_irr(const struct vlapic *l)
{
	return vlapic_highest_vector(l, APIC_IRR);
}

int vlapic_highest_isr(const struct vlapic *l)
{
	return vlapic_highest_vector(l, APIC_ISR);
}

void vlapic_tmr_bitmap(const struct vlapic *l, u64 out[4])
{
	for (unsigned i = 0; i < 4; i++)
		out[i] = __atomic_load_n(&l->regs[(APIC_TMR >> 2) + i * 8], __ATOMIC_RELAXED) |
			 (u64)__atomic_load_n(&l->regs[(APIC_TMR >> 2) + i * 8 + 4],
					      __ATOMIC_RELAXED) << 32;
}

/*
 * The CPU already cleared ISR and updated PPR. A vector whose TMR bit was
 * cleared since (delivered edge-triggered this time) is an ordinary EOI.
 */
void vlapic_eoi_exit(struct vlapic *l, u8 vector)
{
	u32 tmr = __atomic_load_n(&l->regs[(APIC_TMR >> 2) + (vector >> 5) * 4], __ATOMIC_RELAXED);

	if ((tmr & (1u << (vector & 31))) && l->group && l->group->eoi)
		l->group->eoi(l->group, vector);
}
