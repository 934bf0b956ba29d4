// Problem: moment is CommonJS-era and heavy for a Worker; Intl.DateTimeFormat does this.
import moment from "moment";

export const shortDate = (iso: string) => moment(iso).utc().format("MMM D, YYYY");
