import { describe, expect, it } from 'vitest';
import { orderStatusText } from '../../src/delivery/order-status-text';

const variant = (status: 'pending' | 'generating' | 'complete' | 'failed', revisingPrompt = false) => ({
  id: 'v',
  variantNumber: 1,
  status,
  durationMs: null,
  sharingEnabled: true,
  selected: false,
  revisingPrompt,
});

describe('orderStatusText while a variant is retried with a revised prompt (issue 14)', () => {
  it('says the description is being adjusted, not that generation failed', () => {
    expect(
      orderStatusText({ status: 'paid', generationStatus: 'generating', variants: [variant('complete'), variant('generating', true), variant('complete')] }),
    ).toBe("We're adjusting your song's description: 2 of 3 ready");
  });

  it('says nothing of it when no variant is being revised, or once all are ready', () => {
    expect(orderStatusText({ status: 'paid', generationStatus: 'generating', variants: [variant('generating'), variant('pending'), variant('pending')] })).toBe(
      'Composing your songs: 0 of 3 ready',
    );
    expect(orderStatusText({ status: 'paid', generationStatus: 'complete', variants: [variant('complete'), variant('complete'), variant('complete')] })).toBe(
      'All three songs are ready',
    );
    expect(orderStatusText({ status: 'refunded', generationStatus: 'generating', variants: [variant('generating', true)] })).toBe('Refunded');
  });
});
