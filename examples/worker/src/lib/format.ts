import { Buffer } from 'buffer';
import moment from 'moment';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function formatMoney(cents: number): string {
  return money.format(cents / 100);
}

export function formatDate(date: Date | number): string {
  return moment(date).utc().format('YYYY-MM-DD');
}

export interface Cursor {
  /** createdAt (ms) of the last row on the previous page */
  before: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
  } catch {
    return null;
  }
}
