import type { Checkpoint, OrderEvent } from '../events/canonical.ts';

const EVENT_OF_STATUS: Record<Checkpoint['status'], OrderEvent['type']> = {
  in_transit: 'shipment.checkpoint',
  info: 'shipment.checkpoint',
  out_for_delivery: 'shipment.out_for_delivery',
  delivered: 'shipment.delivered',
  exception: 'shipment.exception',
};

/** The canonical events of a tracking service's checkpoints, once the parcel's order is known. */
export function trackingEvents(orderId: string, checkpoints: Checkpoint[]): OrderEvent[] {
  return checkpoints.map((checkpoint) => ({ type: EVENT_OF_STATUS[checkpoint.status], orderId, occurredAt: checkpoint.at, checkpoint }));
}

/** Carrier names differ by source ("SF Express", "shunfeng", "sf-express"): compare them loosely. */
export function carrierToken(carrier: string | undefined): string {
  const token = (carrier ?? '').toLowerCase().replace(/[^a-z0-9\u4e00-\u9fff]/g, '');
  return CARRIER_ALIASES[token] ?? token;
}

const CARRIER_ALIASES: Record<string, string> = {
  sfexpress: 'sf',
  shunfeng: 'sf',
  顺丰: 'sf',
  顺丰速运: 'sf',
  sf: 'sf',
  zto: 'zto',
  zhongtong: 'zto',
  中通: 'zto',
  中通快递: 'zto',
  yto: 'yto',
  yuantong: 'yto',
  圆通: 'yto',
  圆通速递: 'yto',
  sto: 'sto',
  shentong: 'sto',
  申通: 'sto',
  yunda: 'yunda',
  韵达: 'yunda',
  ems: 'ems',
  chinaems: 'ems',
  jd: 'jd',
  jingdong: 'jd',
  jdl: 'jd',
  京东: 'jd',
  京东物流: 'jd',
  ups: 'ups',
  fedex: 'fedex',
  usps: 'usps',
  dhl: 'dhl',
  dhlexpress: 'dhl',
};
