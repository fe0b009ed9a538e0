import {
  Content,
  ContentHeader,
  Header,
  Page,
} from '@backstage/core-components';
import type { ReactNode } from 'react';

/** The frame of every ops page: the portal's header and content area. */
export function OpsPage(props: {
  title: string;
  subtitle: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Page themeId="tool">
      <Header title={props.title} subtitle={props.subtitle} />
      <Content>
        {props.actions && (
          <ContentHeader title="">{props.actions}</ContentHeader>
        )}
        {props.children}
      </Content>
    </Page>
  );
}
